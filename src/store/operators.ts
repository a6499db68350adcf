import type { Role } from "../domain/roles.js";
import type { Db } from "./database.js";
import type { OperatorTable } from "./schema.js";

export interface Operator {
  id: string;
  username: string;
  roles: Role[];
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OperatorWithHash extends Operator {
  passwordHash: string;
}

function toOperator(row: OperatorTable): OperatorWithHash {
  return {
    id: row.id,
    username: row.username,
    roles: JSON.parse(row.roles) as Role[],
    disabled: row.disabled === 1,
    failedLogins: row.failed_logins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordHash: row.password_hash,
  };
}

export function withoutHash({ passwordHash: _, ...operator }: OperatorWithHash): Operator {
  return operator;
}

export async function findOperatorByUsername(
  db: Db,
  username: string,
): Promise<OperatorWithHash | undefined> {
  const row = await db
    .selectFrom("operators")
    .selectAll()
    .where("username", "=", username)
    .executeTakeFirst();
  return row && toOperator(row);
}

export async function findOperatorById(db: Db, id: string): Promise<OperatorWithHash | undefined> {
  const row = await db.selectFrom("operators").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toOperator(row);
}

export async function listOperators(db: Db): Promise<Operator[]> {
  const rows = await db.selectFrom("operators").selectAll().orderBy("username").execute();
  return rows.map((row) => withoutHash(toOperator(row)));
}

export async function countOperators(db: Db): Promise<number> {
  const row = await db
    .selectFrom("operators")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
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
      failed_logins: 0,
      locked_until: null,
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
    failedLogins?: number;
    lockedUntil?: string | null;
  },
  at: string,
): Promise<void> {
  await db
    .updateTable("operators")
    .set({
      ...(changes.roles !== undefined && { roles: JSON.stringify(changes.roles) }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
      ...(changes.failedLogins !== undefined && { failed_logins: changes.failedLogins }),
      ...(changes.lockedUntil !== undefined && { locked_until: changes.lockedUntil }),
      updated_at: at,
    })
    .where("id", "=", id)
    .execute();
}

/** Enabled operators holding the administrator role: there must always be one. */
export async function countEnabledAdministrators(db: Db): Promise<number> {
  const rows = await db.selectFrom("operators").select("roles").where("disabled", "=", 0).execute();
  return rows.filter((r) => (JSON.parse(r.roles) as Role[]).includes("administrator")).length;
}
