import { z } from "zod";

/** One entry of the object history, as `GET /api/v1/audit` and a card's history show it. */
export const auditEntrySchema = z.object({
  seq: z.int(),
  at: z.string(),
  operatorId: z.string().nullable(),
  operatorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  objectName: z
    .string()
    .nullable()
    .optional()
    .describe(
      "How people name the object (in the audit search): a card's number, \"Batch 12\", a user's name",
    ),
  outcome: z.enum(["success", "refused", "failed"]),
  details: z.record(z.string(), z.unknown()),
});

/** `POST /api/v1/audit/verify`: whether the chain holds, and where it broke. */
export const auditVerificationSchema = z.object({
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
});
