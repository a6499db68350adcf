import type { PendingChangeKind } from "../domain/four-eyes-rules.js";
import type { PendingChange } from "../domain/pending-change.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import type { Db } from "../store/database.js";
import { findPendingChangeById, insertPendingChange, withoutSecret } from "../store/pending-changes.js";
import { newRowId } from "../store/row-ids.js";

/** The object-history action of a kind of change: `options.change`, `operator.create`, `operator.change`. */
export function actionOfKind(kind: PendingChangeKind): string {
  return kind === "options" ? "options.change" : kind;
}

/**
 * Records a change that one administrator may not make alone, in the caller's transaction:
 * nothing of it applies until another administrator approves it (decide-pending-change.ts).
 */
export async function proposeChange(
  services: Services,
  trx: Db,
  actor: Actor,
  input: {
    kind: PendingChangeKind;
    objectId: string | null;
    change: Record<string, unknown>;
    passwordHash?: string | null | undefined;
    rules: string[];
  },
): Promise<PendingChange> {
  const id = newRowId();
  const at = nowIso(services);
  await insertPendingChange(trx, {
    id,
    kind: input.kind,
    objectId: input.objectId,
    change: input.change,
    passwordHash: input.passwordHash ?? null,
    rules: input.rules,
    proposedBy: actor,
    at,
  });
  await services.audit.append(
    trx,
    [
      {
        action: `${actionOfKind(input.kind)}.propose`,
        objectType: "pendingChange",
        objectId: id,
        outcome: "success",
        operator: actor,
        details: {
          kind: input.kind,
          change: input.change,
          rules: input.rules,
          ...(input.objectId && { operatorId: input.objectId }),
        },
      },
    ],
    at,
  );
  return withoutSecret((await findPendingChangeById(trx, id))!);
}
