import { z } from "zod";
import { findProcess } from "../domain/process-catalog.js";
import { batchOrderResultSchema, orderBatch, selectCardIds, selectionShape } from "./batch-order.js";
import { defineProcess } from "./process-handler.js";

const definition = findProcess("CardsBoProcActivateMultiple")!;

/** Activate multiple cards: issued cards handed to their holders become active, their certificates valid. */
export const activateMultipleCards = defineProcess({
  definition,
  status: 202,
  body: z.strictObject(selectionShape).refine((b) => (b.cardIds === undefined) !== (b.filter === undefined), {
    message: "send either cardIds or filter",
    path: ["cardIds"],
  }),
  result: batchOrderResultSchema,
  async run(services, actor, body) {
    const cardIds = await selectCardIds(services.store.db, body, "issued");
    return orderBatch(services, actor, definition, cardIds, "issued", {}, services.batchChunkSize);
  },
});
