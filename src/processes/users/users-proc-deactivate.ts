import type { Card } from "../../domain/card.js";
import { abortedWhenHolderLeaves, lockedWhenHolderLeaves } from "../../domain/card-states.js";
import { TesseraError } from "../../domain/errors.js";
import { findProcess } from "../../domain/process-catalog.js";
import { changeCard, type ProcessRun } from "../../services/card-steps.js";
import { lockCard } from "../../services/lock-card.js";
import { changeUser, loadUserInState } from "../../services/user-steps.js";
import { findCardsOfUser } from "../../store/cards.js";
import { transact } from "../../store/database.js";
import { lockUntilCommit } from "../../store/transaction-locks.js";
import { defineProcess } from "../process-handler.js";
import { toCardView } from "../schemas.js";

const definition = findProcess("UsersProcDeactivate");

/**
 * Deactivate user (a leaver): the user becomes inactive, every card of theirs that could still be
 * used is locked and every open request aborted — all in one transaction, one history entry per
 * object, or nothing at all when one of the cards is held by a running batch.
 */
export const usersProcDeactivate = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    return transact(services.store, async (trx) => {
      const run: ProcessRun = { services, trx, actor, process: definition };
      // The holder's cards are taken in turns with a request or an activation for them: a card
      // requested or activated meanwhile would otherwise outlive the deactivation.
      await lockUntilCommit(trx, services.store.dialect, "holderCards", body.userId);
      const user = await loadUserInState(trx, definition, body, "active");
      const cards = await findCardsOfUser(trx, user.id);
      // Checked before anything changes: a batch that holds a card would produce or activate it
      // behind the lock, so the whole deactivation waits for it instead of half happening.
      const claimed = cards.find(
        (card) =>
          card.batchId && [...abortedWhenHolderLeaves, ...lockedWhenHolderLeaves].includes(card.state),
      );
      if (claimed)
        throw new TesseraError(
          "card.claimed",
          `Card ${claimed.cardNumber} of ${user.firstName} ${user.lastName} is held by batch ${claimed.batchId}; wait for it to finish or cancel it, then deactivate the user.`,
          { userId: user.id, cardId: claimed.id, batchId: claimed.batchId },
        );
      const abortedCards: Card[] = [];
      const lockedCards: Card[] = [];
      for (const card of cards) {
        if (abortedWhenHolderLeaves.includes(card.state))
          abortedCards.push(await changeCard(run, card, { to: "aborted", reason: body.reason }));
        else if (lockedWhenHolderLeaves.includes(card.state))
          lockedCards.push(await lockCard(run, card, "left"));
      }
      const changed = await changeUser(
        run,
        user,
        { state: "inactive" },
        {
          from: "active",
          to: "inactive",
          reason: body.reason,
          cardsLocked: lockedCards.map((card) => card.cardNumber),
          requestsAborted: abortedCards.map((card) => card.cardNumber),
        },
      );
      return {
        user: changed,
        lockedCards: lockedCards.map(toCardView),
        abortedCards: abortedCards.map(toCardView),
      };
    });
  },
});
