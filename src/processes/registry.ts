import { isClientError, TesseraError } from "../domain/errors.js";
import { hasAnyRole } from "../domain/roles.js";
import type { Actor, Services } from "../services/services.js";
import { translateConstraintError } from "../store/constraint-errors.js";
import { activateMultipleCards } from "./activate-multiple-cards.js";
import { cardsAbortRequest } from "./cards-abort-request.js";
import { cardsApprove } from "./cards-approve.js";
import {
  cardsActivate,
  cardsDeactivate,
  cardsLock,
  cardsReactivate,
  cardsRepeatProduction,
} from "./cards-lifecycle.js";
import { cardsRequest, cardsRequestMultiple } from "./cards-request.js";
import { certificatesHold, certificatesRelease, certificatesRevoke } from "./certificates-change.js";
import { issueMultipleCards } from "./issue-multiple-cards.js";
import type { ProcessHandler } from "./process-handler.js";
import { recordRefusal } from "./recording-refusal.js";
import { usersCreate } from "./users-create.js";
import { usersImport } from "./users-import.js";
import { validationError } from "./validation.js";

/** Every process Tessera runs, by symbolic name. */
export const processHandlers: ReadonlyMap<string, ProcessHandler> = new Map(
  [
    usersCreate,
    usersImport,
    cardsRequest,
    cardsRequestMultiple,
    cardsApprove,
    cardsAbortRequest,
    issueMultipleCards,
    cardsRepeatProduction,
    cardsActivate,
    activateMultipleCards,
    cardsDeactivate,
    cardsReactivate,
    cardsLock,
    certificatesHold,
    certificatesRelease,
    certificatesRevoke,
  ].map((handler) => [handler.definition.symbolicName, handler as unknown as ProcessHandler]),
);

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
  symbolicName: string,
  body: unknown,
): Promise<{ status: 200 | 202; result: unknown }> {
  const handler = processHandlers.get(symbolicName);
  if (!handler) throw new TesseraError("process.not_found", `There is no process named ${symbolicName}.`);
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
