import { z } from "zod";
import { TesseraError } from "../domain/errors.js";
import {
  administratorPasswordRule,
  administratorRemovalRule,
  administratorRoleRule,
  isAdministratorTakeover,
  leavesSingleAdministrator,
  needsSecondAdministrator,
} from "../domain/four-eyes-rules.js";
import type { Operator } from "../domain/operator.js";
import type { PendingChange } from "../domain/pending-change.js";
import { hasAnyRole, type Role, roles } from "../domain/roles.js";
import type { Actor, Services } from "../services/services.js";
import { findApiTokenById, insertApiToken, revokeApiToken } from "../store/api-tokens.js";
import { type Db, transact } from "../store/database.js";
import {
  countEnabledAdministrators,
  countOperators,
  findOperatorById,
  findOperatorByUsername,
  insertOperator,
  lockOperators,
  updateOperator,
  withoutHash,
} from "../store/operators.js";
import { newRowId } from "../store/row-ids.js";
import { deleteSessionsOfOperator } from "../store/sessions.js";
import { hashToken, newSecretToken } from "./authentication.js";
import { clearLoginCounts } from "./login-throttle.js";
import { generatePassword, hashPassword } from "./passwords.js";
import { proposeChange } from "./pending-changes.js";

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

export type NewOperator = z.infer<typeof newOperatorSchema>;
export type OperatorChanges = z.infer<typeof operatorChangesSchema>;
export type CreatedOperator = { operator: Operator; password: string | undefined };

/**
 * Creates an operator. Made by the system (`actor` null: the first start, the CLI, the demo) it
 * applies at once; made by an administrator it becomes a pending change instead when it makes a
 * new enabled administrator while two are enabled (domain/four-eyes-rules.ts): the password is
 * then kept only as a hash, and a generated one is given to the administrator who approves.
 */
export async function createOperator(
  services: Services,
  actor: null,
  input: NewOperator,
): Promise<CreatedOperator>;
export async function createOperator(
  services: Services,
  actor: Actor,
  input: NewOperator,
): Promise<CreatedOperator | { pendingChange: PendingChange }>;
export async function createOperator(
  services: Services,
  actor: Actor | null,
  input: NewOperator,
): Promise<CreatedOperator | { pendingChange: PendingChange }> {
  const password = input.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const operatorRoles = [...new Set(input.roles)];
  return transact(services.store, async (trx) => {
    await lockOperators(trx, services.store.dialect);
    if (
      actor &&
      needsSecondAdministrator(
        undefined,
        { roles: operatorRoles, disabled: false },
        await countEnabledAdministrators(trx),
      )
    ) {
      if (await findOperatorByUsername(trx, input.username))
        throw new TesseraError("operator.username_taken");
      return {
        pendingChange: await proposeChange(services, trx, actor, {
          kind: "operator.create",
          objectId: null,
          change: { username: input.username, roles: operatorRoles },
          passwordHash: input.password ? passwordHash : null,
          rules: [administratorRoleRule.rule],
        }),
      };
    }
    const operator = await insertOperatorRecorded(services, trx, actor, {
      username: input.username,
      roles: operatorRoles,
      passwordHash,
    });
    return { operator, password: input.password ? undefined : password };
  });
}

/** Inserts an operator and records it, in the caller's transaction. */
export async function insertOperatorRecorded(
  services: Services,
  trx: Db,
  actor: Actor | null,
  input: { username: string; roles: Role[]; passwordHash: string; pendingChangeId?: string },
): Promise<Operator> {
  const id = newRowId();
  await lockOperators(trx, services.store.dialect);
  await insertOperator(trx, {
    id,
    username: input.username,
    passwordHash: input.passwordHash,
    roles: input.roles,
    at: services.clock().toISOString(),
  });
  await audit(services, trx, actor, "operator.create", id, {
    username: input.username,
    roles: input.roles,
    ...(input.pendingChangeId && { pendingChangeId: input.pendingChangeId }),
  });
  return withoutHash((await findOperatorById(trx, id))!);
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) =>
  a.length === b.length && a.every((role) => b.includes(role));

/**
 * An administrator changes an operator: roles, disabled, password, lock. Nobody changes their
 * own roles. A change that makes the operator an enabled administrator while two are enabled,
 * or that would leave a single enabled administrator, becomes, as a whole, a pending change for
 * another administrator.
 */
export async function changeOperator(
  services: Services,
  actor: Actor,
  id: string,
  changes: OperatorChanges,
): Promise<{ operator: Operator } | { pendingChange: PendingChange }> {
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  return transact(services.store, async (trx) => {
    // Counted, then changed: no other change of operators in between.
    await lockOperators(trx, services.store.dialect);
    const operator = await findOperatorById(trx, id);
    if (!operator) throw new TesseraError("operator.not_found");
    const newRoles = changes.roles && ([...new Set(changes.roles)] as Role[]);
    if (id === actor.id && newRoles && !sameRoles(newRoles, operator.roles))
      throw new TesseraError("operator.own_roles");
    const after = {
      roles: newRoles ?? operator.roles,
      disabled: changes.disabled ?? operator.disabled,
    };
    // A patch that changes nothing writes nothing, and is not recorded as a change.
    if (
      sameRoles(after.roles, operator.roles) &&
      after.disabled === operator.disabled &&
      !passwordHash &&
      !changes.unlock
    )
      return { operator: withoutHash(operator) };
    const administrators = await countEnabledAdministrators(trx);
    const rules = [
      ...(needsSecondAdministrator(operator, after, administrators) ? [administratorRoleRule.rule] : []),
      ...(leavesSingleAdministrator(operator, after, administrators) ? [administratorRemovalRule.rule] : []),
      ...(isAdministratorTakeover(
        operator,
        { setsPassword: Boolean(passwordHash), bySelf: id === actor.id },
        administrators,
      )
        ? [administratorPasswordRule.rule]
        : []),
    ];
    if (rules.length > 0)
      return {
        pendingChange: await proposeChange(services, trx, actor, {
          kind: "operator.change",
          objectId: id,
          change: {
            username: operator.username,
            ...(newRoles && { roles: newRoles }),
            ...(changes.disabled !== undefined && { disabled: changes.disabled }),
            ...(passwordHash && { passwordReset: true }),
            ...(changes.unlock && { unlock: true }),
          },
          passwordHash: passwordHash ?? null,
          rules,
        }),
      };
    return {
      operator: await applyOperatorChanges(services, trx, actor, id, {
        roles: newRoles,
        disabled: changes.disabled,
        passwordHash,
        unlock: changes.unlock === true,
      }),
    };
  });
}

/** Applies a change of an operator and records it, in the caller's transaction. */
export async function applyOperatorChanges(
  services: Services,
  trx: Db,
  actor: Actor,
  id: string,
  changes: {
    roles?: Role[] | undefined;
    disabled?: boolean | undefined;
    passwordHash?: string | undefined;
    unlock: boolean;
    pendingChangeId?: string;
  },
): Promise<Operator> {
  await lockOperators(trx, services.store.dialect);
  const current = await findOperatorById(trx, id);
  if (!current) throw new TesseraError("operator.not_found");
  const at = services.clock().toISOString();
  await updateOperator(
    trx,
    id,
    {
      ...(changes.roles && { roles: changes.roles }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled }),
      ...(changes.passwordHash && { passwordHash: changes.passwordHash }),
    },
    at,
  );
  if ((await countEnabledAdministrators(trx)) === 0) throw new TesseraError("operator.last_administrator");
  // A disabled operator, or one whose password was reset, is logged out everywhere.
  if (changes.disabled || changes.passwordHash) await deleteSessionsOfOperator(trx, id);
  // Unlock: every login delay of the username, from every address, ends now.
  if (changes.unlock) await clearLoginCounts(trx, services, current.username);
  await audit(services, trx, actor, "operator.change", id, {
    ...(changes.roles && { roles: changes.roles }),
    ...(changes.disabled !== undefined && { disabled: changes.disabled }),
    ...(changes.passwordHash && { passwordReset: true }),
    ...(changes.unlock && { unlocked: true }),
    ...(changes.pendingChangeId && { pendingChangeId: changes.pendingChangeId }),
  });
  return withoutHash((await findOperatorById(trx, id))!);
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
  /**
   * The operator the token acts as: always the operator who creates it (its roles decide what
   * the token may do). Kept for scripts that send it; any other operator's id is refused.
   */
  operatorId: z.string().min(1).max(64).optional(),
});

/**
 * Makes an API token for the calling operator. A token acts only as the operator who created
 * it: a token made for someone else would let one person act with another's roles (an
 * administrator approving its own card request as an approver).
 */
export async function createApiToken(
  services: Services,
  actor: Actor,
  input: z.infer<typeof newApiTokenSchema>,
): Promise<{ id: string; token: string }> {
  if (input.operatorId !== undefined && input.operatorId !== actor.id)
    throw new TesseraError("token.other_operator");
  const operatorId = actor.id;
  const token = `tsr_${newSecretToken()}`;
  const id = newRowId();
  await transact(services.store, async (trx) => {
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

/** Revokes a token: an administrator any token, any other operator only their own. */
export async function revokeToken(services: Services, actor: Actor, id: string): Promise<void> {
  await transact(services.store, async (trx) => {
    const token = await findApiTokenById(trx, id);
    // Someone else's token is "not found" to an operator who may not see it.
    if (!token || (token.operatorId !== actor.id && !hasAnyRole(actor.roles, ["administrator"])))
      throw new TesseraError("token.not_found");
    if (!(await revokeApiToken(trx, id, services.clock().toISOString())))
      throw new TesseraError("token.not_found");
    await audit(services, trx, actor, "token.revoke", id, {}, "token");
  });
}
