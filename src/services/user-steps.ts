import { TesseraError } from "../domain/errors.js";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import type { User } from "../domain/user.js";
import type { Db } from "../store/database.js";
import { findUserById, type UserDetailChanges, updateUser } from "../store/users.js";
import type { ProcessRun } from "./card-steps.js";
import { nowIso } from "./services.js";

/** The user a process acts on, at the version the operator saw when one is sent. */
export async function loadUserFor(trx: Db, userId: string, version: number | undefined): Promise<User> {
  const user = await findUserById(trx, userId);
  if (!user) throw new TesseraError("user.not_found", `There is no user with id ${userId}.`, { userId });
  if (version !== undefined && version !== user.version)
    throw new TesseraError(
      "user.stale",
      `${user.firstName} ${user.lastName} has changed since version ${version} (now ${user.version}); reload and try again.`,
      { userId, version: user.version },
    );
  return user;
}

/**
 * The user a process acts on, in the state it needs: Deactivate needs an active user, Reactivate
 * an inactive one; the other state is refused as being there already, and changes nothing.
 */
export async function loadUserInState(
  trx: Db,
  process: ProcessDefinition,
  ref: { userId: string; version?: number | undefined },
  state: User["state"],
): Promise<User> {
  const user = await loadUserFor(trx, ref.userId, ref.version);
  if (user.state !== state)
    throw new TesseraError(
      user.state === "active" ? "user.already_active" : "user.already_inactive",
      `${process.name} needs an ${state} user; ${user.firstName} ${user.lastName} is ${user.state} already.`,
      { userId: user.id, state: user.state },
    );
  return user;
}

/**
 * Changes one user as it was loaded (someone else's change in between makes this one
 * `user.stale`) and records it in the object history, in the process's transaction.
 */
export async function changeUser(
  run: ProcessRun,
  user: User,
  changes: UserDetailChanges,
  details: Record<string, unknown>,
): Promise<User> {
  const { services, trx, actor, process } = run;
  const at = nowIso(services);
  if (!(await updateUser(trx, user.id, user.version, changes, at)))
    throw new TesseraError("user.stale", undefined, { userId: user.id });
  await services.audit.append(
    trx,
    [
      {
        action: process.symbolicName,
        objectType: "user",
        objectId: user.id,
        outcome: "success",
        operator: actor,
        details: { identifier: user.identifier, ...details },
      },
    ],
    at,
  );
  return (await findUserById(trx, user.id))!;
}
