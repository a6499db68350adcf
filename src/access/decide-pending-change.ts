import { isClientError, TesseraError } from "../domain/errors.js";
import type { Operator } from "../domain/operator.js";
import type { PendingChange } from "../domain/pending-change.js";
import { type ProcessOptions, processOptionsPatchSchema } from "../domain/process-options.js";
import type { Role } from "../domain/roles.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { translateConstraintError } from "../store/constraint-errors.js";
import { type Db, transact } from "../store/database.js";
import { lockOperators } from "../store/operators.js";
import {
  decidePendingChange,
  findPendingChangeById,
  type PendingChangeWithSecret,
  withoutSecret,
} from "../store/pending-changes.js";
import { applyOptionsPatch } from "./change-options.js";
import { applyOperatorChanges, insertOperatorRecorded } from "./operators.js";
import { generatePassword, hashPassword } from "./passwords.js";
import { actionOfKind } from "./pending-changes.js";

export interface ApprovedChange {
  pendingChange: PendingChange;
  /** The options as they are now, for an approved options change. */
  options?: ProcessOptions;
  /** The operator made or changed, for an approved operator change. */
  operator?: Operator;
  /** A generated password for an operator created without one: shown once, to the approver. */
  password?: string;
}

/**
 * Another administrator approves a pending change: it is applied now (to the options or
 * operators as they stand now), in the same transaction as the decision and its history entry.
 */
export async function approvePendingChange(
  services: Services,
  actor: Actor,
  id: string,
): Promise<ApprovedChange> {
  // An operator proposed without a password gets one now, hashed (slowly) before the transaction.
  const proposed = await findPendingChangeById(services.store.db, id);
  const password =
    proposed?.kind === "operator.create" && !proposed.passwordHash ? generatePassword() : undefined;
  const generatedHash = password === undefined ? undefined : await hashPassword(password);
  return decide(services, actor, id, "approved", async (trx, change) => {
    const applied = await applyChange(services, trx, actor, change, generatedHash);
    const usedGenerated = change.kind === "operator.create" && !change.passwordHash;
    return { ...applied, ...(usedGenerated && password !== undefined && { password }) };
  });
}

/** Another administrator rejects a pending change: it is never applied. */
export async function rejectPendingChange(
  services: Services,
  actor: Actor,
  id: string,
): Promise<{ pendingChange: PendingChange }> {
  return decide(services, actor, id, "rejected", async () => ({}));
}

async function applyChange(
  services: Services,
  trx: Db,
  actor: Actor,
  change: PendingChangeWithSecret,
  generatedHash: string | undefined,
): Promise<Omit<ApprovedChange, "pendingChange">> {
  const proposed = change.change;
  switch (change.kind) {
    case "options":
      return {
        options: await applyOptionsPatch(
          services,
          trx,
          actor,
          processOptionsPatchSchema.parse(proposed),
          change.id,
        ),
      };
    case "operator.create":
      return {
        operator: await insertOperatorRecorded(services, trx, actor, {
          username: String(proposed.username),
          roles: proposed.roles as Role[],
          // A proposal is read twice (before and in the transaction); its kind never changes.
          passwordHash: (change.passwordHash ?? generatedHash)!,
          pendingChangeId: change.id,
        }),
      };
    case "operator.change":
      return {
        operator: await applyOperatorChanges(services, trx, actor, change.objectId!, {
          roles: proposed.roles as Role[] | undefined,
          disabled: proposed.disabled as boolean | undefined,
          passwordHash: change.passwordHash ?? undefined,
          unlock: proposed.unlock === true,
          pendingChangeId: change.id,
        }),
      };
  }
}

async function decide<T extends object>(
  services: Services,
  actor: Actor,
  id: string,
  state: "approved" | "rejected",
  apply: (trx: Db, change: PendingChangeWithSecret) => Promise<T>,
): Promise<T & { pendingChange: PendingChange }> {
  const verb = state === "approved" ? "approve" : "reject";
  let action = `pendingChange.${verb}`;
  try {
    return await transact(services.store, async (trx) => {
      // Before the history's lock (taken when the decision is recorded): a change of operators
      // takes this one first too, so the two never wait for each other in a circle.
      await lockOperators(trx, services.store.dialect);
      const change = await findPendingChangeById(trx, id);
      if (!change) throw new TesseraError("pending_change.not_found");
      action = `${actionOfKind(change.kind)}.${verb}`;
      if (change.state !== "pending") throw new TesseraError("pending_change.decided");
      if (change.proposedBy === actor.id) throw new TesseraError("pending_change.own_proposal");
      const at = nowIso(services);
      if (!(await decidePendingChange(trx, id, { state, by: actor, at })))
        throw new TesseraError("pending_change.decided");
      await services.audit.append(
        trx,
        [
          {
            action,
            objectType: "pendingChange",
            objectId: id,
            outcome: "success",
            operator: actor,
            details: { kind: change.kind, proposedBy: change.proposedByName },
          },
        ],
        at,
      );
      const applied = await apply(trx, change);
      return { ...applied, pendingChange: withoutSecret((await findPendingChangeById(trx, id))!) };
    });
  } catch (caught) {
    const error = translateConstraintError(caught) ?? caught;
    // A refused decision is part of the story too: who tried to decide what, and why not.
    if (isClientError(error))
      await services.audit.append(
        services.store.db,
        [
          {
            action,
            objectType: "pendingChange",
            objectId: id.slice(0, 64),
            outcome: "refused",
            operator: actor,
            details: { code: error.code, message: error.message },
          },
        ],
        nowIso(services),
      );
    throw error;
  }
}
