import { z } from "zod";
import { cardSchema } from "../../processes/schemas.js";
import { auditEntrySchema } from "./audit-schemas.js";

/** `GET /api/v1/cards/{id}`: the card with its certificates, its history and what the caller may fetch. */
export const cardDetailSchema = cardSchema.extend({
  predecessorNumber: z.string().nullable().describe("The card number of the card this one renews"),
  successorNumber: z.string().nullable().describe("The card number of the newest card that renews this one"),
  certificates: z.array(
    z.object({
      serial: z.string(),
      profile: z.string(),
      state: z.string(),
      notBefore: z.string(),
      notAfter: z.string(),
    }),
  ),
  history: z.array(auditEntrySchema),
  batchNumbers: z
    .record(z.string(), z.int())
    .describe("The numbers of the card's batch and of every batch its history names, by batch id"),
  holderUnfitForCard: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .describe(
      "The holder's fields no card of its template can be made from (too long, characters the card's font or a certificate cannot hold, or a logon identifier — UPN, SID — the template's certificates require and the holder lacks or that cannot name a Kerberos principal): while there are any, Repeat production is not offered",
    ),
  mayDownloadToken: z
    .boolean()
    .describe(
      "Whether the caller may download the card's software token now: their roles allow it (deployment setting), the card is as its batch made it, its batch's PIN letters are not purged and the download limit is not reached",
    ),
});
