import type { Db, Dialect } from "./database.js";
import { lockAllUntilCommit } from "./transaction-locks.js";

/** Which count: a username from one address, a username from all (`address` ""), an address for all (`username` ""). */
export interface LoginCountKey {
  readonly username: string;
  readonly address: string;
}

export interface LoginCount extends LoginCountKey {
  readonly failures: number;
  readonly lastFailureAt: string;
  /** Until when the next attempt this count governs must wait; null while it is free. */
  readonly delayedUntil: string | null;
}

/**
 * Makes the caller's transaction the only one counting logins for these names (a username, an
 * address) until it ends, so that parallel guesses cannot all pass one check. On PostgreSQL a
 * transaction-scoped advisory lock per name, taken in one order so two logins never deadlock;
 * SQLite has one connection, held by the transaction.
 */
export async function lockLoginCounts(trx: Db, dialect: Dialect, names: readonly string[]): Promise<void> {
  await lockAllUntilCommit(trx, dialect, "loginCounts", names);
}

export async function findLoginCounts(db: Db, keys: readonly LoginCountKey[]): Promise<LoginCount[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom("login_throttle")
    .selectAll()
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb("username", "=", k.username), eb("address", "=", k.address)]))),
    )
    .execute();
  return rows.map((row) => ({
    username: row.username,
    address: row.address,
    failures: Number(row.failures),
    lastFailureAt: row.last_failure_at,
    delayedUntil: row.delayed_until,
  }));
}

export async function saveLoginCount(db: Db, count: LoginCount): Promise<void> {
  await db
    .insertInto("login_throttle")
    .values({
      username: count.username,
      address: count.address,
      failures: count.failures,
      last_failure_at: count.lastFailureAt,
      delayed_until: count.delayedUntil,
    })
    .onConflict((oc) =>
      oc.columns(["username", "address"]).doUpdateSet({
        failures: count.failures,
        last_failure_at: count.lastFailureAt,
        delayed_until: count.delayedUntil,
      }),
    )
    .execute();
}

export async function deleteLoginCount(db: Db, key: LoginCountKey): Promise<void> {
  await db
    .deleteFrom("login_throttle")
    .where("username", "=", key.username)
    .where("address", "=", key.address)
    .execute();
}

/** Forgets every count of one username (from all addresses and from each): an unlock. */
export async function deleteLoginCountsOfUsername(db: Db, username: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("username", "=", username).execute();
}

/** Forgets counts whose last failure is older than `before`. */
export async function deleteLoginCountsBefore(db: Db, before: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("last_failure_at", "<", before).execute();
}
