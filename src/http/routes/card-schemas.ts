import { z } from "zod";
import { cardSchema } from "../../processes/schemas.js";
import { auditEntrySchema } from "./audit-schemas.js";

/** `GET /api/v1/cards/{id}`: the card with its certificates, its history and what the caller may fetch. */
export const cardDetailSchema = cardSchema.extend({
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
  mayDownloadToken: z
    .boolean()
    .describe(
      "Whether the caller may download the card's software token now: their roles allow it (deployment setting), the card is as its batch made it, its batch's PIN letters are not purged and the download limit is not reached",
    ),
});
