import { TesseraError } from "../domain/errors.js";
import type { Services } from "../services/services.js";
import { findOperatorByUsername, updateOperator } from "../store/operators.js";
import { deleteSessionsOfOperator } from "../store/sessions.js";
import { clearLoginCounts } from "./login-throttle.js";
import { generatePassword, hashPassword } from "./passwords.js";

/**
 * Sets a new password for an operator who lost theirs — the way back in when the only
 * administrator forgot the password printed at the first start. It is run on the server
 * (`tessera operators reset-password NAME`), by whoever holds the data folder and the database,
 * so no second administrator is asked; it is recorded in the object history, the operator is
 * logged out everywhere and their login waits are cleared. Returns the password when it was
 * generated.
 */
export async function resetOperatorPassword(
  services: Services,
  input: { username: string; password?: string | undefined; via: string },
): Promise<{ generated: string | undefined }> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await services.store.db.transaction().execute(async (trx) => {
    const operator = await findOperatorByUsername(trx, input.username);
    if (!operator) throw new TesseraError("operator.not_found");
    const at = services.clock().toISOString();
    await updateOperator(trx, operator.id, { passwordHash }, at);
    await deleteSessionsOfOperator(trx, operator.id);
    await clearLoginCounts(trx, services, operator.username);
    await services.audit.append(
      trx,
      [
        {
          action: "operator.change",
          objectType: "operator",
          objectId: operator.id,
          outcome: "success",
          operator: null,
          details: { passwordReset: true, via: input.via },
        },
      ],
      at,
    );
  });
  return { generated: input.password === undefined ? password : undefined };
}
