import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db, Dialect } from "./database.js";

/**
 * The PostgreSQL advisory locks Tessera takes, in one place so that no two uses share a key.
 * Several Tessera processes may share one PostgreSQL; these make them take turns where a read
 * decides a write (the history's chain, the last administrator, a batch's secrets). Each is
 * held until the transaction ends. SQLite has one connection, which the transaction holds, so
 * it needs none.
 */
const lockKeys = {
  /** The history's chain: the next entry links to the newest. */
  auditChain: 7_431_001,
  /** One CRL number at a time. */
  crlPublication: 7_431_002,
  /** One checkpoint of the history at a time. */
  auditCheckpoint: 7_431_003,
  /** A space of keys: one per username or address whose failed logins are counted. */
  loginCounts: 7_431_009,
  /** A space of keys: one per batch whose PIN letters or tokens are handed out. */
  batchSecrets: 7_431_011,
  /** The operators and their roles: the last administrator cannot be removed. */
  operators: 7_431_013,
  /** The deployment's process options. */
  processOptions: 7_431_017,
  /** A space of keys: one per user whose cards may become active (several active cards per user). */
  holderCards: 7_431_019,
  /** One expiry pass at a time: several Tessera processes each run the scheduler. */
  expiryPass: 7_431_023,
} as const;

export type TransactionLock = keyof typeof lockKeys;

/** The key within a lock space for a name (a batch id, a username): collisions only make two names wait for each other. */
function lockNumberOf(name: string): number {
  return createHash("sha256").update(name).digest().readInt32BE(0);
}

/**
 * Takes `lock` (with `within`, one key of a lock space: a number, or a name made one by
 * {@link lockNumberOf}) until the transaction ends. Taking it again in the same transaction is
 * free: PostgreSQL counts, and releases at the end.
 */
export async function lockUntilCommit(
  trx: Db,
  dialect: Dialect,
  lock: TransactionLock,
  within?: number | string,
): Promise<void> {
  if (dialect !== "postgres") return;
  if (within === undefined) await sql`select pg_advisory_xact_lock(${lockKeys[lock]})`.execute(trx);
  else {
    const key = typeof within === "string" ? lockNumberOf(within) : within;
    await sql`select pg_advisory_xact_lock(${lockKeys[lock]}, ${key})`.execute(trx);
  }
}

/**
 * Takes the keys of `names` in one lock space, in one order (sorted keys), so two transactions
 * that lock several never wait for each other in a circle.
 */
export async function lockAllUntilCommit(
  trx: Db,
  dialect: Dialect,
  lock: TransactionLock,
  names: readonly string[],
): Promise<void> {
  if (dialect !== "postgres") return;
  const keys = [...new Set(names.map(lockNumberOf))].sort((a, b) => a - b);
  for (const key of keys) await lockUntilCommit(trx, dialect, lock, key);
}
