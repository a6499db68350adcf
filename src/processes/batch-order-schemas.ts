import { z } from "zod";
import { isoInstantSchema } from "../domain/iso-instant.js";

/**
 * The parts of a batch order that the web UI also types (through src/http/api-types.ts): kept
 * apart from batch-order.ts, which needs the store and Node, so the UI's type-check can follow them.
 */

/** "Select all N matching": the search criteria of the BATCH ORDERS page, instead of card ids. */
export const batchFilterSchema = z.strictObject({
  template: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
  organizationalUnit: z.string().max(64).optional(),
  // As the Cards list reads them, so that "all N matching" are the cards the list showed.
  requestedFrom: isoInstantSchema.optional(),
  requestedTo: isoInstantSchema.optional(),
});
export type BatchFilter = z.infer<typeof batchFilterSchema>;

/** What a batch order answers: the batch, how many cards it claimed, and why the others were skipped. */
export const batchOrderResultSchema = z.object({
  batchId: z.string(),
  claimed: z.int(),
  skipped: z.array(z.object({ cardId: z.string(), cardNumber: z.string().optional(), reason: z.string() })),
});
