import { TesseraError } from "../domain/errors.js";
import type { Operator } from "../domain/operator.js";
import type { Actor, Services } from "../services/services.js";
import { type Db, transact } from "../store/database.js";
import { findOperatorByUsername, updateOperator } from "../store/operators.js";
import { deleteSessionsOfOperator } from "../store/sessions.js";
import { clearLoginCounts } from "./login-throttle.js";
import { generatePassword, hashPassword } from "./passwords.js";

/**
 * The ways back in run on the server (`tessera operators reset-password NAME`, `… unlock NAME`),
 * by whoever holds the data folder and the database, so no second administrator is asked. Each
 * clears the operator's login delays and is recorded in the object history as an operator change.
 */
async function recoverOperator(
  services: Services,
  actor: Actor | null,
  username: string,
  details: Record<string, unknown>,
  change: (trx: Db, operator: Operator, at: string) => Promise<void> = async () => {},
): Promise<void> {
  await transact(services.store, async (trx) => {
    const operator = await findOperatorByUsername(trx, username);
    if (!operator) throw new TesseraError("operator.not_found");
    const at = services.clock().toISOString();
    await change(trx, operator, at);
    await clearLoginCounts(trx, services, operator.username);
    await services.audit.append(
      trx,
      [
        {
          action: "operator.change",
          objectType: "operator",
          objectId: operator.id,
          outcome: "success",
          operator: actor,
          details,
        },
      ],
      at,
    );
  });
}

/**
 * Sets a new password for an operator who lost theirs — the way back in when the only
 * administrator forgot the password printed at the first start. The operator is logged out
 * everywhere. Returns the password when it was generated.
 */
export async function resetOperatorPassword(
  services: Services,
  input: { username: string; password?: string | undefined; via: string },
): Promise<{ generated: string | undefined }> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await recoverOperator(
    services,
    null,
    input.username,
    { passwordReset: true, via: input.via },
    async (trx, operator, at) => {
      await updateOperator(trx, operator.id, { passwordHash }, at);
      await deleteSessionsOfOperator(trx, operator.id);
    },
  );
  return { generated: input.password === undefined ? password : undefined };
}

/**
 * Clears the login delays of an operator at once (`tessera operators unlock NAME`), recorded like
 * the administrators' unlock in the API.
 */
export async function unlockOperator(
  services: Services,
  actor: Actor | null,
  username: string,
  via: string,
): Promise<void> {
  await recoverOperator(services, actor, username, { unlocked: true, via });
}
