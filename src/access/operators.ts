import { randomUUID } from "node:crypto";
import { z } from "zod";
import { TesseraError } from "../domain/errors.js";
import { type Role, roles } from "../domain/roles.js";
import type { Actor, Services } from "../processes/services.js";
import { insertApiToken, revokeApiToken } from "../store/api-tokens.js";
import type { Db } from "../store/database.js";
import {
  countEnabledAdministrators,
  countOperators,
  findOperatorById,
  insertOperator,
  type Operator,
  updateOperator,
  withoutHash,
} from "../store/operators.js";
import { deleteSessionsOfOperator } from "../store/sessions.js";
import { hashToken, newSecretToken } from "./authentication.js";
import { generatePassword, hashPassword } from "./passwords.js";

export const passwordSchema = z.string().min(12, "at least 12 characters").max(200);
export const usernameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, and . _ - only");
export const rolesSchema = z.array(z.enum(roles)).min(1, "give at least one role").max(roles.length);

export const newOperatorSchema = z.strictObject({
  username: usernameSchema,
  /** Left out: a password is generated and returned once. */
  password: passwordSchema.optional(),
  roles: rolesSchema,
});

export const operatorChangesSchema = z.strictObject({
  roles: rolesSchema.optional(),
  disabled: z.boolean().optional(),
  /** A new password set by an administrator (reset). */
  password: passwordSchema.optional(),
  /** Lifts a lock after failed logins. */
  unlock: z.literal(true).optional(),
});

async function audit(
  services: Services,
  trx: Db,
  actor: Actor | null,
  action: string,
  id: string,
  details = {},
  objectType = "operator",
) {
  await services.audit.append(
    trx,
    [{ action, objectType, objectId: id, outcome: "success", operator: actor, details }],
    services.clock().toISOString(),
  );
}

export async function createOperator(
  services: Services,
  actor: Actor | null,
  input: z.infer<typeof newOperatorSchema>,
): Promise<{ operator: Operator; password: string | undefined }> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const id = randomUUID();
  const operator = await services.store.db.transaction().execute(async (trx) => {
    await insertOperator(trx, {
      id,
      username: input.username,
      passwordHash,
      roles: [...new Set(input.roles)],
      at: services.clock().toISOString(),
    });
    await audit(services, trx, actor, "operator.create", id, {
      username: input.username,
      roles: input.roles,
    });
    return withoutHash((await findOperatorById(trx, id))!);
  });
  return { operator, password: input.password ? undefined : password };
}

export async function changeOperator(
  services: Services,
  actor: Actor,
  id: string,
  changes: z.infer<typeof operatorChangesSchema>,
): Promise<Operator> {
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  return services.store.db.transaction().execute(async (trx) => {
    const operator = await findOperatorById(trx, id);
    if (!operator) throw new TesseraError("operator.not_found");
    const at = services.clock().toISOString();
    await updateOperator(
      trx,
      id,
      {
        ...(changes.roles && { roles: [...new Set(changes.roles)] as Role[] }),
        ...(changes.disabled !== undefined && { disabled: changes.disabled }),
        ...(passwordHash && { passwordHash }),
        ...(changes.unlock && { failedLogins: 0, lockedUntil: null }),
      },
      at,
    );
    if ((await countEnabledAdministrators(trx)) === 0) throw new TesseraError("operator.last_administrator");
    // A disabled operator, or one whose password was reset, is logged out everywhere.
    if (changes.disabled || passwordHash) await deleteSessionsOfOperator(trx, id);
    await audit(services, trx, actor, "operator.change", id, {
      ...(changes.roles && { roles: changes.roles }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled }),
      ...(passwordHash && { passwordReset: true }),
      ...(changes.unlock && { unlocked: true }),
    });
    return withoutHash((await findOperatorById(trx, id))!);
  });
}

/**
 * Makes the first administrator when there are no operators yet. Returns the password when it
 * was generated, so the start-up can print it once.
 */
export async function ensureFirstAdministrator(
  services: Services,
  input: { password: string | undefined; roles: Role[] },
): Promise<{ created: boolean; username: string; password: string | undefined }> {
  if ((await countOperators(services.store.db)) > 0)
    return { created: false, username: "admin", password: undefined };
  const { password } = await createOperator(services, null, {
    username: "admin",
    password: input.password,
    roles: input.roles,
  });
  return { created: true, username: "admin", password: password ?? input.password };
}

export const newApiTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** The operator the token acts as (its roles decide what it may do); yourself when left out. */
  operatorId: z.string().min(1).max(64).optional(),
});

export async function createApiToken(
  services: Services,
  actor: Actor,
  input: z.infer<typeof newApiTokenSchema>,
): Promise<{ id: string; token: string }> {
  const operatorId = input.operatorId ?? actor.id;
  const token = `tsr_${newSecretToken()}`;
  const id = randomUUID();
  await services.store.db.transaction().execute(async (trx) => {
    if (!(await findOperatorById(trx, operatorId))) throw new TesseraError("operator.not_found");
    await insertApiToken(trx, {
      id,
      operatorId,
      name: input.name,
      tokenHash: hashToken(token),
      createdBy: actor.id,
      at: services.clock().toISOString(),
    });
    await audit(services, trx, actor, "token.create", operatorId, { tokenId: id, name: input.name });
  });
  return { id, token };
}

export async function revokeToken(services: Services, actor: Actor, id: string): Promise<void> {
  await services.store.db.transaction().execute(async (trx) => {
    if (!(await revokeApiToken(trx, id, services.clock().toISOString())))
      throw new TesseraError("token.not_found");
    await audit(services, trx, actor, "token.revoke", id, {}, "token");
  });
}
