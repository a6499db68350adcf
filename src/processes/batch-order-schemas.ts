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

export const maxBatchCards = 200_000;

const selectionShape = {
  cardIds: z.array(z.string().min(1).max(64)).max(maxBatchCards).optional(),
  filter: batchFilterSchema.optional(),
  excludedCardIds: z
    .array(z.string().min(1).max(64))
    .max(maxBatchCards)
    .optional()
    .describe(
      'With `filter` only: cards the operator unticked after "select all N matching"; the batch takes every matching card but these',
    ),
};

/**
 * The body of a batch order: the cards, by id or by the search that found them (less the cards
 * unticked after "select all N matching"), and `fields`.
 */
export function selectionBodySchema<Fields extends z.ZodRawShape>(fields: Fields) {
  return z
    .strictObject({ ...selectionShape, ...fields })
    .refine(
      (body) => {
        const b = body as { cardIds?: unknown; filter?: unknown };
        return (b.cardIds === undefined) !== (b.filter === undefined);
      },
      {
        message: "send either cardIds or filter",
        path: ["cardIds"],
      },
    )
    .refine(
      (body) => {
        const b = body as { filter?: unknown; excludedCardIds?: unknown };
        return b.excludedCardIds === undefined || b.filter !== undefined;
      },
      {
        message:
          "excludedCardIds goes with filter: it names cards the search matched that the batch leaves out",
        path: ["excludedCardIds"],
      },
    );
}

/** What a batch order answers: the batch, how many cards it claimed, and why the others were skipped. */
export const batchOrderResultSchema = z.object({
  batchId: z.string(),
  claimed: z.int(),
  skipped: z.array(z.object({ cardId: z.string(), cardNumber: z.string().optional(), reason: z.string() })),
});
