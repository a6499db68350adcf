import { z } from "zod";
import { TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { changeCard, loadCardFor } from "../services/card-steps.js";
import { defineProcess } from "./process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "./schemas.js";

const definition = findProcess("CardsProcAbortRequest")!;

export const cardsAbortRequest = defineProcess({
  definition,
  status: 200,
  body: z.strictObject({ ...cardRefSchema, reason: z.string().trim().max(500).optional() }),
  result: z.object({ card: cardSchema }),
  async run(services, actor, body) {
    const card = await services.store.db.transaction().execute(async (trx) => {
      const card = await loadCardFor(trx, definition, body.cardId, body.version);
      if (card.batchId)
        throw new TesseraError(
          "card.claimed",
          `Card ${card.cardNumber} is held by batch ${card.batchId}; cancel the batch first.`,
          { cardId: card.id, batchId: card.batchId },
        );
      return changeCard(services, trx, actor, definition, card, {
        state: "aborted",
        reason: body.reason ?? null,
      });
    });
    return { card: toCardView(card) };
  },
});
