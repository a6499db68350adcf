import { TesseraError } from "../../domain/errors.js";
import { changeCard } from "../../services/card-steps.js";
import { findUserById } from "../../store/users.js";
import { defineCardProcess } from "../card-process.js";
import { holderProblemsFor } from "../users/unfit-for-card.js";

/**
 * Repeat production: a failed card is approved again, ready for the next batch — unless its
 * holder's data is what no card can be made from (registered before those checks, say): the
 * next batch would fail it the same way, so the user is to be corrected first. The same holds
 * for a holder without an identifier (UPN, SID) the card's logon certificate needs.
 */
export const cardsProcRepeatProduction = defineCardProcess("CardsProcRepeatProduction", async (run, card) => {
  const holder = await findUserById(run.trx, card.userId);
  const problem = holder && holderProblemsFor(holder, run.services.templates.get(card.template))[0];
  if (problem)
    throw new TesseraError(
      "card.holder_unfit_for_card",
      `The holder's data cannot be printed or certified (${problem.path}: ${problem.message}); correct the user (Edit user) before repeating production.`,
      { field: problem.path, userId: card.userId },
    );
  return changeCard(run, card, { to: "approved", batchId: null, reason: null });
});
