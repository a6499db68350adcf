import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { App } from "../../app.js";
import { searchAudit } from "../../store/audit-log.js";
import { pageQuerySchema, pageSchema } from "./paging.js";

export const auditEntrySchema = z.object({
  seq: z.int(),
  at: z.string(),
  operatorId: z.string().nullable(),
  operatorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  outcome: z.enum(["success", "refused", "failed"]),
  details: z.record(z.string(), z.unknown()),
});

const auditors = { access: ["auditor", "administrator"] as const };

export function auditRoutes(app: App): FastifyPluginAsyncZod {
  const { db } = app.services.store;
  return async (server) => {
    server.get(
      "/api/v1/audit",
      {
        config: auditors,
        schema: {
          tags: ["audit"],
          summary: "The object history, newest first",
          querystring: pageQuerySchema.extend({
            objectType: z.string().max(32).optional(),
            objectId: z.string().max(64).optional(),
            operatorId: z.string().max(64).optional(),
            action: z.string().max(64).optional(),
            outcome: z.enum(["success", "refused", "failed"]).optional(),
            from: z.iso.datetime().or(z.iso.date()).optional(),
            to: z.iso.datetime().or(z.iso.date()).optional(),
          }),
          response: { 200: pageSchema(auditEntrySchema) },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return searchAudit(db, filter, { cursor, limit });
      },
    );

    server.post(
      "/api/v1/audit/verify",
      {
        config: auditors,
        schema: {
          tags: ["audit"],
          summary: "Verify the chain of the object history; names the first broken entry",
          response: {
            200: z.object({
              valid: z.boolean(),
              entries: z.int(),
              firstBroken: z.object({ seq: z.int(), reason: z.string() }).optional(),
            }),
          },
        },
      },
      // Verifying only reads: an auditor changes nothing, not even the log.
      async () => app.services.audit.verify(db),
    );
  };
}
