import type { Operator } from "../domain/operator.js";
import type { Role } from "../domain/roles.js";
import { countRows } from "./count-rows.js";
import type { Db, Dialect } from "./database.js";
import type { OperatorTable } from "./schema.js";
import { lockUntilCommit } from "./transaction-locks.js";

export interface OperatorWithHash extends Operator {
  passwordHash: string;
}

type OperatorRow = OperatorTable & { failures: number | null; delayed_until: string | null };

function toOperator(row: OperatorRow): OperatorWithHash {
  return {
    id: row.id,
    username: row.username,
    roles: JSON.parse(row.roles) as Role[],
    disabled: row.disabled === 1,
    failedLogins: Number(row.failures ?? 0),
    lockedUntil: row.delayed_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordHash: row.password_hash,
  };
}

export function withoutHash({ passwordHash: _, ...operator }: OperatorWithHash): Operator {
  return operator;
}

/** Operators with the login count of their username from all addresses. */
function selectOperators(db: Db) {
  return db
    .selectFrom("operators")
    .leftJoin("login_throttle", (join) =>
      join.onRef("login_throttle.username", "=", "operators.username").on("login_throttle.address", "=", ""),
    )
    .selectAll("operators")
    .select(["login_throttle.failures", "login_throttle.delayed_until"]);
}

export async function findOperatorByUsername(
  db: Db,
  username: string,
): Promise<OperatorWithHash | undefined> {
  const row = await selectOperators(db).where("operators.username", "=", username).executeTakeFirst();
  return row && toOperator(row);
}

export async function findOperatorById(db: Db, id: string): Promise<OperatorWithHash | undefined> {
  const row = await selectOperators(db).where("operators.id", "=", id).executeTakeFirst();
  return row && toOperator(row);
}

export async function listOperators(db: Db): Promise<Operator[]> {
  const rows = await selectOperators(db).orderBy("operators.username").execute();
  return rows.map((row) => withoutHash(toOperator(row)));
}

export async function countOperators(db: Db): Promise<number> {
  return countRows(db.selectFrom("operators"));
}

export async function insertOperator(
  db: Db,
  operator: { id: string; username: string; passwordHash: string; roles: Role[]; at: string },
): Promise<void> {
  await db
    .insertInto("operators")
    .values({
      id: operator.id,
      username: operator.username,
      password_hash: operator.passwordHash,
      roles: JSON.stringify(operator.roles),
      disabled: 0,
      created_at: operator.at,
      updated_at: operator.at,
    })
    .execute();
}

export async function updateOperator(
  db: Db,
  id: string,
  changes: {
    roles?: Role[];
    disabled?: boolean;
    passwordHash?: string;
  },
  at: string,
): Promise<void> {
  await db
    .updateTable("operators")
    .set({
      ...(changes.roles !== undefined && { roles: JSON.stringify(changes.roles) }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
      updated_at: at,
    })
    .where("id", "=", id)
    .execute();
}

/**
 * Makes the caller's transaction the only one changing operators until it ends. The rules
 * about administrators count the enabled ones, then change one: two changes at once would each
 * count the other's administrator as still there (and together leave one, or none). On
 * PostgreSQL a transaction-scoped advisory lock, taken before anything else in the transaction
 * (before the object history's, so two transactions never wait for each other in a circle);
 * SQLite has one connection, held by the transaction.
 */
export async function lockOperators(trx: Db, dialect: Dialect): Promise<void> {
  await lockUntilCommit(trx, dialect, "operators");
}

/** Enabled operators holding the administrator role: there must always be one. */
export async function countEnabledAdministrators(db: Db): Promise<number> {
  const rows = await db.selectFrom("operators").select("roles").where("disabled", "=", 0).execute();
  return rows.filter((r) => (JSON.parse(r.roles) as Role[]).includes("administrator")).length;
}
