import { TesseraError } from "../../domain/errors.js";
import { changeCard } from "../../services/card-steps.js";
import { findObjectNames } from "../../store/object-names.js";
import { defineCardProcess } from "../card-process.js";

/** Abort request: a requested or approved card no batch holds is aborted. */
export const cardsProcAbortRequest = defineCardProcess("CardsProcAbortRequest", async (run, card, body) => {
  if (card.batchId) {
    const { batches } = await findObjectNames(run.trx, { batches: [card.batchId] });
    throw new TesseraError(
      "card.claimed",
      `Card ${card.cardNumber} is held by batch ${batches.get(card.batchId) ?? card.batchId}; cancel the batch first.`,
      { cardId: card.id, batchId: card.batchId },
    );
  }
  return changeCard(run, card, { to: "aborted", reason: body.reason ?? null });
});
