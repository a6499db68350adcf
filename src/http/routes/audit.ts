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
          description:
            "Checks every entry's MAC and link to the one before, then the newest signed checkpoint of the history's head (in the database and in the data folder): the history must still hold that checkpoint's last entry with its MAC and at least its number of entries, so entries removed from the end show too.",
          response: {
            200: z.object({
              valid: z.boolean(),
              entries: z.int().describe("Entries checked"),
              firstBroken: z
                .object({ seq: z.int(), reason: z.string() })
                .optional()
                .describe(
                  "The first entry that does not verify; for entries removed from the end, the last entry the checkpoint named in the reason confirmed",
                ),
              lastCheckpoint: z
                .object({
                  at: z.string().describe("When the checkpoint was signed"),
                  entries: z.int().describe("How many entries it confirmed"),
                })
                .optional()
                .describe(
                  "The newest signed checkpoint the history was found to hold; absent before the first checkpoint",
                ),
            }),
          },
        },
      },
      // Verifying only reads: an auditor changes nothing, not even the log.
      async () => app.services.audit.verify(db),
    );
  };
}
