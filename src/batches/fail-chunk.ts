import type { Services } from "../services/services.js";
import { finishChunk, lockHeldChunk } from "../store/batch-chunks.js";
import { findPendingItemsOfChunk, finishItems } from "../store/batch-items.js";
import { releaseCards } from "../store/batches.js";
import { transitionCards } from "../store/card-transitions.js";
import { transact } from "../store/database.js";
import { revokeJournalled } from "./revoke-journalled.js";
import type { HeldChunk } from "./scheduler.js";
import { wipeJournalledChips } from "./wipe-journalled-chips.js";

/**
 * Gives up a chunk after its last failed attempt: its cards fail with `reason`. Cards being
 * issued go to `failed` (repeat production brings them back); cards being activated stay
 * issued and are only given back by the batch. Nothing happens when this instance no longer
 * holds the chunk.
 */
export async function failChunk(
  services: Services,
  held: HeldChunk,
  issuing: boolean,
  reason: string,
): Promise<void> {
  const { store } = services;
  // Before the journal forgets the chips of these cards: they must not keep a failed card's keys.
  if (issuing)
    await wipeJournalledChips(
      services,
      (await findPendingItemsOfChunk(store.db, held.batchId, held.chunk)).map((item) => item.card_id),
      held.signal,
    );
  await transact(store, async (trx) => {
    if (!(await lockHeldChunk(trx, store.dialect, held))) return;
    const at = services.clock().toISOString();
    const items = await findPendingItemsOfChunk(trx, held.batchId, held.chunk);
    const cardIds = items.map((item) => item.card_id);
    if (issuing)
      await transitionCards(trx, {
        ids: cardIds,
        from: "approved",
        to: "failed",
        at,
        heldBy: held.batchId,
        changes: { reason, batchId: null },
      });
    else await releaseCards(trx, held.batchId, cardIds);
    // What a chip of these cards got signed is recorded revoked: the cards are given up.
    if (issuing) await revokeJournalled(trx, cardIds, at, { keepTokens: false });
    await finishItems(
      trx,
      held.batchId,
      cardIds.map((cardId) => ({
        cardId,
        state: "failed" as const,
        code: "batch.production_failed",
        reason,
      })),
      at,
    );
    await services.audit.append(
      trx,
      [
        {
          action: "batch.chunkFailed",
          objectType: "batch",
          objectId: held.batchId,
          outcome: "failed",
          details: { chunk: held.chunk, reason, cards: cardIds.length },
        },
      ],
      at,
    );
    await finishChunk(trx, { batchId: held.batchId, chunk: held.chunk, done: 0, failed: cardIds.length }, at);
  });
}
