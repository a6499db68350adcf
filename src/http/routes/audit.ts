import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isoInstantSchema } from "../../domain/iso-instant.js";
import { searchAudit } from "../../store/audit-log.js";
import { findObjectNames } from "../../store/object-names.js";
import { apiRoute, apiRoutes } from "../api-route.js";
import type { ServedApp } from "../served-app.js";
import { auditEntrySchema, auditVerificationSchema } from "./audit-schemas.js";
import { searchRoute } from "./paging.js";

const auditors = ["auditor", "administrator"] as const;

export function auditRoutes(app: ServedApp): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return apiRoutes("audit", {
    "GET /api/v1/audit": searchRoute({
      access: auditors,
      summary: "The object history, newest first",
      filters: {
        objectType: z.string().max(32).optional(),
        objectId: z.string().max(64).optional(),
        operatorId: z.string().max(64).optional(),
        action: z.string().max(64).optional(),
        outcome: z.enum(["success", "refused", "failed"]).optional(),
        from: isoInstantSchema.optional().describe("Only entries at or after this instant"),
        to: isoInstantSchema.optional().describe("Only entries before this instant"),
      },
      item: auditEntrySchema,
      sorts: { fields: ["seq"], default: { by: "seq", direction: "desc" } },
      search: async (filter, page, _request, sort) => {
        const found = await searchAudit(db, filter, page, sort.direction);
        const ids = (type: string) =>
          found.items.flatMap((entry) => (entry.objectType === type && entry.objectId) || []);
        const names = await findObjectNames(db, {
          cards: ids("card"),
          batches: ids("batch"),
          users: ids("user"),
          certificates: ids("certificate"),
          operators: ids("operator"),
          tokens: ids("token"),
        });
        const nameOf = (type: string | null, id: string | null): string | null => {
          if (!id) return null;
          if (type === "card") return names.cards.get(id) ?? null;
          if (type === "user") return names.users.get(id) ?? null;
          if (type === "operator") return names.operators.get(id) ?? null;
          const token = type === "token" ? names.tokens.get(id) : undefined;
          if (token) return `API token ${token.name}${token.username ? ` of ${token.username}` : ""}`;
          const certificate = type === "certificate" ? names.certificates.get(id) : undefined;
          // "authentication certificate of card 7001000000019": the serial is the link's target.
          if (certificate)
            return certificate.cardNumber
              ? `${certificate.profile} certificate of card ${certificate.cardNumber}`
              : `${certificate.profile} certificate`;
          const batch = type === "batch" ? names.batches.get(id) : undefined;
          return batch === undefined ? null : `Batch ${batch}`;
        };
        return {
          ...found,
          items: found.items.map((entry) => ({
            ...entry,
            objectName: nameOf(entry.objectType, entry.objectId),
          })),
        };
      },
    }),

    "POST /api/v1/audit/verify": apiRoute({
      access: auditors,
      summary: "Verify the chain of the object history; names the first broken entry",
      description:
        "Checks every entry's MAC and link to the one before, then the newest signed checkpoint of the history's head (in the database and in the data folder): the history must still hold that checkpoint's last entry with its MAC and at least its number of entries, so entries removed from the end show too.",
      response: {
        200: auditVerificationSchema,
      },
      // Verifying only reads: an auditor changes nothing, not even the log.
      handler: async () => app.services.audit.verify(db),
    }),
  });
}
