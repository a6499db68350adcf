import type { Batch } from "../domain/batch.js";
import { type ErrorCode, isClientError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { activateCard } from "../services/activate-card.js";
import type { Actor, Services } from "../services/services.js";
import { finishChunk, lockHeldChunk } from "../store/batch-chunks.js";
import { findPendingItemsOfChunk, finishItems } from "../store/batch-items.js";
import { releaseCards } from "../store/batches.js";
import { findCardsByIds, findHoldersOfCards } from "../store/cards.js";
import { transact } from "../store/database.js";
import { lockAllUntilCommit } from "../store/transaction-locks.js";
import type { HeldChunk } from "./scheduler.js";

const activateMultiple = findProcess("CardsBoProcActivateMultiple");

type Outcome = { cardId: string; state: "done" | "failed"; code?: ErrorCode; reason?: string };

/**
 * Activate multiple cards, one chunk in one transaction: each issued card becomes active as the
 * single activation makes it (`activateCard`, which keeps the several-active-cards rule) and is
 * given back by the batch; a card that may not be activated fails alone with the reason.
 */
export async function activateChunk(
  services: Services,
  held: HeldChunk,
  batch: Batch,
  actor: Actor,
): Promise<void> {
  const { store } = services;
  const items = await findPendingItemsOfChunk(store.db, batch.id, held.chunk);
  await transact(store, async (trx) => {
    if (!(await lockHeldChunk(trx, store.dialect, held))) return;
    const at = services.clock().toISOString();
    const ids = items.map((item) => item.card_id);
    // The chunk's holders are locked at once, in one order, before their cards are read: each
    // activation takes its holder's lock too (to count the holder's active cards and see that
    // the holder is still active), and one at a time in card order two chunks could deadlock.
    await lockAllUntilCommit(trx, store.dialect, "holderCards", await findHoldersOfCards(trx, ids));
    const cards = new Map((await findCardsByIds(trx, ids)).map((card) => [card.id, card]));
    const outcomes: Outcome[] = [];
    for (const item of items) {
      const card = cards.get(item.card_id);
      if (card?.state !== "issued") {
        outcomes.push({
          cardId: item.card_id,
          state: "failed",
          code: "card.state_not_allowed",
          reason: `The card is ${card?.state ?? "gone"}, not issued.`,
        });
        continue;
      }
      try {
        await activateCard(services, trx, actor, activateMultiple, card, { batchId: null });
        outcomes.push({ cardId: card.id, state: "done" });
      } catch (error) {
        if (!isClientError(error)) throw error;
        await releaseCards(trx, batch.id, [card.id]);
        outcomes.push({ cardId: card.id, state: "failed", code: error.code, reason: error.message });
      }
    }
    await finishItems(trx, batch.id, outcomes, at);
    await finishChunk(
      trx,
      {
        batchId: batch.id,
        chunk: held.chunk,
        done: outcomes.filter((o) => o.state === "done").length,
        failed: outcomes.filter((o) => o.state === "failed").length,
      },
      at,
    );
  });
}
