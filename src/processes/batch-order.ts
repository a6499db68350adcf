import type { z } from "zod";
import { planChunks } from "../domain/batch.js";
import type { CardState } from "../domain/card-states.js";
import { TesseraError } from "../domain/errors.js";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { markChipChunks, recordChunkTemplates } from "../store/batch-chunks.js";
import { insertBatchItems } from "../store/batch-items.js";
import { setBatchTotals } from "../store/batch-totals.js";
import { claimCards, findCardClaims, insertBatch } from "../store/batches.js";
import { findCardIds } from "../store/cards.js";
import { type Db, transact } from "../store/database.js";
import { findObjectNames } from "../store/object-names.js";
import { newRowId } from "../store/row-ids.js";
import { type BatchFilter, type batchOrderResultSchema, maxBatchCards } from "./batch-order-schemas.js";

/**
 * The ids a selection names: the given ids, or every card in `state` held by no batch that
 * matches the filter, less the excluded ones. The claim in {@link orderBatch} checks each card's
 * state and holder again inside its transaction, so a card excluded here is never claimed.
 */
export async function selectCardIds(
  db: Db,
  selection: {
    cardIds?: string[] | undefined;
    filter?: BatchFilter | undefined;
    excludedCardIds?: string[] | undefined;
  },
  state: CardState,
): Promise<string[]> {
  if (selection.cardIds) {
    if (selection.cardIds.length === 0) throw new TesseraError("batch.empty_selection");
    return [...new Set(selection.cardIds)];
  }
  const excluded = new Set(selection.excludedCardIds);
  // Read enough rows that the bound still holds once the excluded cards are taken out.
  const matching = await findCardIds(
    db,
    { ...selection.filter, state, unclaimed: true },
    maxBatchCards + excluded.size + 1,
  );
  const rows = matching.filter((id) => !excluded.has(id));
  if (rows.length > maxBatchCards)
    throw new TesseraError(
      "request.invalid",
      `At most ${maxBatchCards} cards in one batch; narrow the search.`,
    );
  if (rows.length === 0)
    throw new TesseraError(
      "batch.empty_selection",
      matching.length === 0 ? "No card matches the search." : "Every card the search matches was unticked.",
    );
  return rows;
}

/**
 * Records a batch order in one transaction: the batch, a claim on each card that is still in
 * `state` and held by no other batch, and one item per claimed card. The others are reported
 * as skipped with the reason. The production itself is the batch runner's; it is woken after
 * the commit.
 */
export async function orderBatch(
  services: Services,
  actor: Actor,
  process: ProcessDefinition,
  cardIds: string[],
  state: CardState,
  options: Record<string, unknown>,
  chunkSize: number,
): Promise<z.infer<typeof batchOrderResultSchema>> {
  const batchId = newRowId();
  const result = await transact(services.store, async (trx) => {
    const at = nowIso(services);
    // The batch row first: the cards' claim refers to it.
    await insertBatch(
      trx,
      {
        id: batchId,
        process: process.symbolicName,
        options,
        createdBy: actor.id,
        createdByName: actor.username,
        chunks: 0,
        total: 0,
      },
      at,
    );
    const claimed = await claimCards(trx, services.store.dialect, batchId, cardIds, at, state);
    const claimedSet = new Set(claimed);
    const unclaimed = cardIds.filter((id) => !claimedSet.has(id));
    const known = await findCardClaims(trx, unclaimed);
    const { batches: numbers } = await findObjectNames(trx, {
      batches: [...known.values()].flatMap((card) => card.batchId ?? []),
    });
    const skipped = unclaimed.map((cardId) => {
      const card = known.get(cardId);
      if (!card) return { cardId, reason: `There is no card with id ${cardId}.` };
      const reason = card.batchId
        ? `Card ${card.cardNumber} is held by batch ${numbers.get(card.batchId) ?? card.batchId}.`
        : `Card ${card.cardNumber} is ${card.state}, not ${state}.`;
      return { cardId, cardNumber: card.cardNumber, reason };
    });
    if (claimed.length === 0)
      throw new TesseraError("batch.nothing_claimed", undefined, { skipped: skipped.slice(0, 100) });
    // Keep the operator's order (or the search's), not the order the database claimed them in.
    const ordered = cardIds.filter((id) => claimedSet.has(id));
    const chunks = await insertBatchItems(
      trx,
      services.store.dialect,
      batchId,
      ordered,
      planChunks(ordered.length, chunkSize, services.batchChunksInFlight),
      at,
    );
    await markChipChunks(
      trx,
      batchId,
      [...services.templates.values()].flatMap((template) => (template.pkcs11 ? [template.name] : [])),
    );
    // Only chunks that make cards are claimed by their templates (`claimNextChunk`).
    if (process.symbolicName === "CardsBoProcIssueMultiple") await recordChunkTemplates(trx, batchId);
    await setBatchTotals(trx, batchId, { total: ordered.length, chunks });
    await services.audit.append(
      trx,
      [
        {
          action: process.symbolicName,
          objectType: "batch",
          objectId: batchId,
          outcome: "success",
          operator: actor,
          details: { claimed: ordered.length, skipped: skipped.length, options },
        },
      ],
      at,
    );
    return { batchId, claimed: ordered.length, skipped };
  });
  services.wakeBatchRunner();
  return result;
}
