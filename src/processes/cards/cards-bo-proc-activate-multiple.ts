import { findProcess } from "../../domain/process-catalog.js";
import { orderBatch, selectCardIds } from "../batch-order.js";
import { defineProcess } from "../process-handler.js";

const definition = findProcess("CardsBoProcActivateMultiple");

/** Activate multiple cards: issued cards handed to their holders become active, their certificates valid. */
export const cardsBoProcActivateMultiple = defineProcess(definition, {
  status: 202,
  async run(services, actor, body) {
    const cardIds = await selectCardIds(services.store.db, body, "issued");
    return orderBatch(services, actor, definition, cardIds, "issued", {}, services.batchChunkSize);
  },
});
