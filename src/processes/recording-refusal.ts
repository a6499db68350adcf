import { isClientError, type TesseraError } from "../domain/errors.js";
import { type Actor, nowIso, type Services } from "../services/services.js";

/**
 * Records a refusal in the object history: who, what, which object (when known), and the
 * error's code and sentence. The one way refusals are written, for processes and for the
 * actions outside the catalog (downloads, cancel, purge).
 */
export async function recordRefusal(
  services: Services,
  actor: Actor,
  action: string,
  object: { objectType?: string | null; objectId?: string | null },
  error: TesseraError,
): Promise<void> {
  await services.audit.append(
    services.store.db,
    [
      {
        action,
        ...object,
        outcome: "refused",
        operator: actor,
        details: { code: error.code, message: error.message },
      },
    ],
    nowIso(services),
  );
}

/** Runs `work`; when it refuses with a {@link TesseraError}, records the refusal before passing it on. */
export async function recordingRefusal<T>(
  services: Services,
  actor: Actor,
  action: string,
  object: { objectType: string; objectId: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isClientError(error)) await recordRefusal(services, actor, action, object, error);
    throw error;
  }
}
