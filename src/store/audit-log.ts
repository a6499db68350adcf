import { createHmac, timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import { decodeCursor, type Page, toPage } from "./cursor.js";
import type { Db, Dialect } from "./database.js";

/**
 * The object history: an append-only log whose entries are chained. Each entry carries an
 * HMAC over its own content and the previous entry's MAC, so changing, removing or reordering
 * any entry breaks the chain from that point, and `verify` names where.
 */
export type AuditOutcome = "success" | "refused" | "failed";

export interface AuditEntryInput {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  operator?: { id: string; username: string } | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  operatorId: string | null;
  operatorName: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

export interface VerifyResult {
  valid: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
}

const genesis = "0".repeat(64);
// Any constant works: it only has to be the same for every Tessera sharing one database.
const chainLockKey = 7_431_001;

function computeMac(
  key: Buffer,
  prevMac: string,
  row: {
    at: string;
    operator_id: string | null;
    operator_name: string | null;
    action: string;
    object_type: string | null;
    object_id: string | null;
    outcome: string;
    details: string;
  },
): string {
  const content = JSON.stringify([
    row.at,
    row.operator_id,
    row.operator_name,
    row.action,
    row.object_type,
    row.object_id,
    row.outcome,
    row.details,
  ]);
  return createHmac("sha256", key).update(prevMac).update("\n").update(content).digest("hex");
}

export interface AuditLog {
  /** Appends entries in the caller's transaction, so they commit or roll back with the change. */
  append(trx: Db, entries: AuditEntryInput[], at: string): Promise<void>;
  verify(db: Db): Promise<VerifyResult>;
}

export function createAuditLog({ dialect, key }: { dialect: Dialect; key: Buffer }): AuditLog {
  return {
    async append(trx, entries, at) {
      if (entries.length === 0) return;
      // The chain lock lives as long as a transaction: outside one, make one.
      if (!trx.isTransaction) return trx.transaction().execute((t) => this.append(t, entries, at));
      // Several Tessera processes may share one PostgreSQL: take the chain in turns. The lock is
      // released at commit, after which the next writer reads this entry as its predecessor.
      if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${chainLockKey})`.execute(trx);
      const last = await trx
        .selectFrom("audit_log")
        .select("mac")
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      let prevMac = last?.mac ?? genesis;
      const rows = entries.map((entry) => {
        const row = {
          at,
          operator_id: entry.operator?.id ?? null,
          operator_name: entry.operator?.username ?? null,
          action: entry.action,
          object_type: entry.objectType ?? null,
          object_id: entry.objectId ?? null,
          outcome: entry.outcome,
          details: JSON.stringify(entry.details ?? {}),
        };
        const mac = computeMac(key, prevMac, row);
        const full = { ...row, prev_mac: prevMac, mac };
        prevMac = mac;
        return full;
      });
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto("audit_log")
          .values(rows.slice(i, i + 500))
          .execute();
      }
    },

    async verify(db) {
      let prevMac = genesis;
      let afterSeq = -1;
      let entries = 0;
      for (;;) {
        const rows = await db
          .selectFrom("audit_log")
          .selectAll()
          .where("seq", ">", afterSeq)
          .orderBy("seq")
          .limit(5000)
          .execute();
        for (const row of rows) {
          entries++;
          if (row.prev_mac !== prevMac)
            return {
              valid: false,
              entries,
              firstBroken: { seq: row.seq, reason: "the entry before it was changed, removed or reordered" },
            };
          const expected = Buffer.from(computeMac(key, prevMac, row), "hex");
          const actual = Buffer.from(row.mac, "hex");
          if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
            return {
              valid: false,
              entries,
              firstBroken: { seq: row.seq, reason: "the entry's content was changed" },
            };
          prevMac = row.mac;
          afterSeq = row.seq;
        }
        if (rows.length < 5000) return { valid: true, entries };
      }
    },
  };
}

export interface AuditFilter {
  objectType?: string | undefined;
  objectId?: string | undefined;
  operatorId?: string | undefined;
  action?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function toEntry(row: {
  seq: number;
  at: string;
  operator_id: string | null;
  operator_name: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: string;
  details: string;
}): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    operatorId: row.operator_id,
    operatorName: row.operator_name,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    outcome: row.outcome as AuditOutcome,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** Newest first. */
export async function searchAudit(
  db: Db,
  filter: AuditFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<AuditEntry>> {
  let query = db.selectFrom("audit_log");
  if (filter.objectType) query = query.where("object_type", "=", filter.objectType);
  if (filter.objectId) query = query.where("object_id", "=", filter.objectId);
  if (filter.operatorId) query = query.where("operator_id", "=", filter.operatorId);
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.outcome) query = query.where("outcome", "=", filter.outcome);
  if (filter.from) query = query.where("at", ">=", filter.from);
  if (filter.to) query = query.where("at", "<", filter.to);
  const totalRow = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  let pageQuery = query.select([
    "seq",
    "at",
    "operator_id",
    "operator_name",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "details",
  ]);
  if (page.cursor) {
    const [seq] = decodeCursor(page.cursor, 1) as [number];
    pageQuery = pageQuery.where("seq", "<", seq);
  }
  const rows = await pageQuery
    .orderBy("seq", "desc")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, totalRow.n, (row) => [Number(row.seq)], toEntry);
}

/** The history of one object, oldest first: a card's timeline. */
export async function findHistoryOf(db: Db, objectType: string, objectId: string): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("audit_log")
    .select([
      "seq",
      "at",
      "operator_id",
      "operator_name",
      "action",
      "object_type",
      "object_id",
      "outcome",
      "details",
    ])
    .where("object_type", "=", objectType)
    .where("object_id", "=", objectId)
    .orderBy("seq")
    .limit(1000)
    .execute();
  return rows.map(toEntry);
}
