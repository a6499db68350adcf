import { TesseraError } from "../domain/errors.js";
import { type Actor, nowIso, type Services } from "./services.js";

/**
 * Runs `work`; when it refuses with a {@link TesseraError}, records the refusal in the object
 * history (who, what, which object, the code and the sentence) before passing it on. For the
 * actions outside the process catalog that the history records either way: downloads, cancel,
 * purge.
 */
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
    if (error instanceof TesseraError)
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
    throw error;
  }
}
