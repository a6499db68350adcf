import type { Batch } from "../domain/batch.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess, isSymbolicName } from "../domain/process-catalog.js";
import { hasAnyRole, type Role } from "../domain/roles.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { purgePinLetters, scrubPurgedBatchParts } from "../store/batch-parts.js";
import { lockBatchSecrets } from "../store/batch-secrets.js";
import { cancelBatch, findBatch } from "../store/batches.js";
import { transact } from "../store/database.js";
import { recordingRefusal } from "./recording-refusal.js";

async function loadBatchFor(services: Services, actor: Actor, batchId: string): Promise<Batch> {
  const batch = await findBatch(services.store.db, batchId);
  if (!batch) throw new TesseraError("batch.not_found", `There is no batch with id ${batchId}.`);
  const process = isSymbolicName(batch.process) ? findProcess(batch.process) : undefined;
  if (process && !hasAnyRole(actor.roles, process.roles))
    throw new TesseraError("auth.forbidden", `Only a ${process.roles.join(" or ")} may change this batch.`);
  return batch;
}

/**
 * Cancel batch: cards not started stay approved and are released; chunks in production finish
 * (the answer counts them in `inProduction`, and `finishing` holds until they have).
 */
export async function cancelBatchOrder(services: Services, actor: Actor, batchId: string): Promise<Batch> {
  const batchObject = { objectType: "batch", objectId: batchId };
  return recordingRefusal(services, actor, "batch.cancel", batchObject, () =>
    cancel(services, actor, batchId),
  );
}

async function cancel(services: Services, actor: Actor, batchId: string): Promise<Batch> {
  await loadBatchFor(services, actor, batchId);
  return transact(services.store, async (trx) => {
    const batch = (await findBatch(trx, batchId))!;
    if (batch.state !== "running")
      throw new TesseraError(
        "batch.not_running",
        `The batch is ${batch.state}; only a running batch can be cancelled.`,
      );
    const at = nowIso(services);
    const released = await cancelBatch(trx, batchId, at);
    const cancelled = (await findBatch(trx, batchId))!;
    await services.audit.append(
      trx,
      [
        {
          action: "batch.cancel",
          objectType: "batch",
          objectId: batchId,
          outcome: "success",
          operator: actor,
          details: { released, inProduction: cancelled.inProduction },
        },
      ],
      at,
    );
    return cancelled;
  });
}

/**
 * Purges a batch's PIN letters once printed. They never come back: the PINs exist nowhere else.
 * Whoever may fetch the PIN letters (`pinLetterRoles`, a deployment setting) may purge them.
 * Once the purge has committed, its bytes are erased from the database's files too; `erased`
 * is false when SQLite could not checkpoint the whole WAL at once (another connection was
 * reading), and the next checkpoint finishes it.
 */
export async function purgeBatchPinLetters(
  services: Services,
  actor: Actor,
  batchId: string,
  pinLetterRoles: readonly Role[],
): Promise<{ batch: Batch; erased: boolean }> {
  const batchObject = { objectType: "batch", objectId: batchId };
  return recordingRefusal(services, actor, "batch.purgePinLetters", batchObject, () =>
    purge(services, actor, batchId, pinLetterRoles),
  );
}

async function purge(
  services: Services,
  actor: Actor,
  batchId: string,
  pinLetterRoles: readonly Role[],
): Promise<{ batch: Batch; erased: boolean }> {
  if (!hasAnyRole(actor.roles, pinLetterRoles))
    throw new TesseraError("auth.forbidden", `Only a ${pinLetterRoles.join(" or ")} may purge PIN letters.`);
  const batch = await transact(services.store, async (trx) => {
    // A token of this batch being handed out finishes first: none goes out after the purge.
    await lockBatchSecrets(trx, services.store.dialect, batchId);
    const batch = await findBatch(trx, batchId);
    if (!batch) throw new TesseraError("batch.not_found", `There is no batch with id ${batchId}.`);
    if (batch.process !== "CardsBoProcIssueMultiple")
      throw new TesseraError("batch.no_output", "This batch has no PIN letters.");
    if (batch.state === "running") throw new TesseraError("batch.running");
    if (batch.pinLettersPurgedAt) throw new TesseraError("batch.pin_letters_purged");
    const at = nowIso(services);
    await purgePinLetters(trx, batchId, at);
    await services.audit.append(
      trx,
      [
        {
          action: "batch.purgePinLetters",
          objectType: "batch",
          objectId: batchId,
          outcome: "success",
          operator: actor,
        },
      ],
      at,
    );
    return (await findBatch(trx, batchId))!;
  });
  // Outside the transaction: a checkpoint (or VACUUM) cannot run inside one.
  const erased = await scrubPurgedBatchParts(services.store.db, services.store.dialect);
  return { batch, erased };
}
