import { weakenedOptionRules } from "../domain/four-eyes-rules.js";
import type { PendingChange } from "../domain/pending-change.js";
import {
  isSameOptions,
  mergeProcessOptions,
  type ProcessOptions,
  type ProcessOptionsPatch,
} from "../domain/process-options.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { type Db, transact } from "../store/database.js";
import { lockProcessOptions, saveProcessOptions } from "../store/process-options.js";
import { proposeChange } from "./pending-changes.js";

export type OptionsChangeOutcome =
  | { applied: true; options: ProcessOptions }
  | { applied: false; pendingChange: PendingChange };

/**
 * An administrator changes the process options. A patch that changes nothing writes nothing. A
 * patch that weakens a four-eyes rule (domain/four-eyes-rules.ts) becomes, as a whole, a pending
 * change for another administrator: the administrator meant its fields together, so none of
 * them applies alone.
 */
export async function changeOptions(
  services: Services,
  actor: Actor,
  patch: ProcessOptionsPatch,
): Promise<OptionsChangeOutcome> {
  return transact(services.store, async (trx) => {
    // Judged against the options as they are when written: no other change in between.
    await lockProcessOptions(trx, services.store.dialect);
    const current = await services.getOptions(trx);
    const next = mergeProcessOptions(current, patch);
    if (isSameOptions(current, next)) return { applied: true, options: current };
    const rules = weakenedOptionRules(current, next);
    if (rules.length > 0)
      return {
        applied: false,
        pendingChange: await proposeChange(services, trx, actor, {
          kind: "options",
          objectId: null,
          change: patch,
          rules,
        }),
      };
    return { applied: true, options: await applyOptionsPatch(services, trx, actor, patch) };
  });
}

/**
 * Applies a patch to the options as they stand now and records it, in the caller's
 * transaction; `pendingChangeId` names the approved proposal it comes from.
 */
export async function applyOptionsPatch(
  services: Services,
  trx: Db,
  actor: Actor,
  patch: ProcessOptionsPatch,
  pendingChangeId?: string,
): Promise<ProcessOptions> {
  await lockProcessOptions(trx, services.store.dialect);
  const next = mergeProcessOptions(await services.getOptions(trx), patch);
  const at = nowIso(services);
  await saveProcessOptions(trx, next, actor.id, at);
  await services.audit.append(
    trx,
    [
      {
        action: "options.change",
        objectType: "options",
        outcome: "success",
        operator: actor,
        details: pendingChangeId ? { ...patch, pendingChangeId } : patch,
      },
    ],
    at,
  );
  return next;
}
