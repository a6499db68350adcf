import { isClientError, TesseraError } from "../domain/errors.js";
import type { SymbolicName } from "../domain/process-catalog.js";
import { hasAnyRole } from "../domain/roles.js";
import type { Actor, Services } from "../services/services.js";
import { translateConstraintError } from "../store/constraint-errors.js";
import { cardsBoProcActivateMultiple } from "./cards/cards-bo-proc-activate-multiple.js";
import { cardsBoProcIssueMultiple } from "./cards/cards-bo-proc-issue-multiple.js";
import { cardsBoProcRenewMultiple } from "./cards/cards-bo-proc-renew-multiple.js";
import { cardsBoProcRequestMultiple } from "./cards/cards-bo-proc-request-multiple.js";
import { cardsProcAbortRequest } from "./cards/cards-proc-abort-request.js";
import { cardsProcActivate } from "./cards/cards-proc-activate.js";
import { cardsProcApprove } from "./cards/cards-proc-approve.js";
import { cardsProcChangePin } from "./cards/cards-proc-change-pin.js";
import { cardsProcDeactivate } from "./cards/cards-proc-deactivate.js";
import { cardsProcLock } from "./cards/cards-proc-lock.js";
import { cardsProcReactivate } from "./cards/cards-proc-reactivate.js";
import { cardsProcRepeatProduction } from "./cards/cards-proc-repeat-production.js";
import { cardsProcRequest } from "./cards/cards-proc-request.js";
import { cardsProcUnblockPin } from "./cards/cards-proc-unblock-pin.js";
import { certificatesProcHold } from "./certificates/certificates-proc-hold.js";
import { certificatesProcRelease } from "./certificates/certificates-proc-release.js";
import { certificatesProcRevoke } from "./certificates/certificates-proc-revoke.js";
import type { ProcessHandler } from "./process-handler.js";
import { recordRefusal } from "./recording-refusal.js";
import { usersBoProcImport } from "./users/users-bo-proc-import.js";
import { usersProcCreate } from "./users/users-proc-create.js";
import { usersProcDeactivate } from "./users/users-proc-deactivate.js";
import { usersProcEdit } from "./users/users-proc-edit.js";
import { usersProcReactivate } from "./users/users-proc-reactivate.js";
import { validationError } from "./validation.js";

/**
 * Every process Tessera runs, by symbolic name. A catalog entry without a handler would be
 * listed by the catalog and answered `process.not_found` here.
 */
export const processHandlers: ReadonlyMap<SymbolicName, ProcessHandler> = new Map(
  [
    usersProcCreate,
    usersBoProcImport,
    usersProcEdit,
    usersProcDeactivate,
    usersProcReactivate,
    cardsProcRequest,
    cardsBoProcRequestMultiple,
    cardsBoProcRenewMultiple,
    cardsProcApprove,
    cardsProcAbortRequest,
    cardsBoProcIssueMultiple,
    cardsProcRepeatProduction,
    cardsProcActivate,
    cardsBoProcActivateMultiple,
    cardsProcDeactivate,
    cardsProcReactivate,
    cardsProcLock,
    cardsProcUnblockPin,
    cardsProcChangePin,
    certificatesProcHold,
    certificatesProcRelease,
    certificatesProcRevoke,
  ].map((handler): [SymbolicName, ProcessHandler] => [handler.definition.symbolicName, handler]),
);

/** The refusal of a name no process answers to: not in the catalog, or listed without a handler. */
export function processNotFound(name: string): TesseraError {
  return new TesseraError("process.not_found", `There is no process named ${name}.`);
}

/** The id of the object a process body names, for the history of a refused request. */
function objectOf(body: unknown): { objectType?: string; objectId?: string } {
  if (typeof body !== "object" || body === null) return {};
  const b = body as Record<string, unknown>;
  if (typeof b.cardId === "string") return { objectType: "card", objectId: b.cardId.slice(0, 64) };
  if (typeof b.userId === "string") return { objectType: "user", objectId: b.userId.slice(0, 64) };
  if (typeof b.serial === "string") return { objectType: "certificate", objectId: b.serial.slice(0, 64) };
  return {};
}

/**
 * Runs a process for an operator: checks the role on the server, validates the body with the
 * process's own schema, runs it, and records a refusal in the object history (a success is
 * recorded by the process itself, in its transaction).
 */
export async function runProcess(
  services: Services,
  actor: Actor,
  symbolicName: SymbolicName,
  body: unknown,
): Promise<{ status: 200 | 202; result: unknown }> {
  const handler = processHandlers.get(symbolicName);
  if (!handler) throw processNotFound(symbolicName);
  try {
    if (!hasAnyRole(actor.roles, handler.definition.roles))
      throw new TesseraError(
        "auth.forbidden",
        `${handler.definition.name} needs the role ${handler.definition.roles.join(" or ")}.`,
      );
    const parsed = handler.body.safeParse(body ?? {});
    if (!parsed.success) throw validationError(parsed.error.issues);
    const result = await handler.run(services, actor, parsed.data);
    return { status: handler.status, result };
  } catch (caught) {
    const error = translateConstraintError(caught) ?? caught;
    if (isClientError(error)) await recordRefusal(services, actor, symbolicName, objectOf(body), error);
    throw error;
  }
}
