import { createHmac, timingSafeEqual } from "node:crypto";
import type { Insertable, Selectable } from "kysely";
import { TesseraError } from "../domain/errors.js";
import {
  type AuditCheckpoint,
  type CheckpointSource,
  createCheckpointSigner,
  findNewestSignedCheckpoint,
  insertAuditCheckpoint,
  readCheckpointFile,
  signCheckpoint,
  writeCheckpointFile,
} from "./audit-checkpoints.js";
import { countRows } from "./count-rows.js";
import { decodeCursor, type Page, toPage } from "./cursor.js";
import type { Db, Dialect } from "./database.js";
import type { PageRequest } from "./page-request.js";
import type { AuditTable } from "./schema.js";
import { slices } from "./slices.js";
import { lockUntilCommit } from "./transaction-locks.js";

/**
 * The object history: an append-only log whose entries are chained. Each entry carries an
 * HMAC over its own content and the previous entry's MAC, so changing, removing or reordering
 * any entry breaks the chain from that point, and `verify` names where.
 */
/**
 * The `audit.history_broken` error: the history no longer holds what its newest checkpoint
 * confirmed, so nothing is signed over it; `details.reason` says where and why.
 */
function brokenHistoryError(reason: string): TesseraError {
  return new TesseraError(
    "audit.history_broken",
    `no checkpoint written: the object history is broken (${reason})`,
    { reason },
  );
}

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
  /** The newest signed checkpoint the history was found to hold, when there is one. */
  lastCheckpoint?: { at: string; entries: number };
}

const genesis = "0".repeat(64);

// In Unicode mode a surrogate pair is one code point, so this matches lone halves only.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the two things to find
const unstorableText = /[\u0000\uD800-\uDFFF]/gu;

/**
 * The text as both databases store it, byte for byte: a lone surrogate half has no UTF-8 form
 * (the drivers write U+FFFD instead) and PostgreSQL refuses NUL, so both are replaced here,
 * before the MAC is computed: NUL by the visible U+2400 (␀), a lone half by U+FFFD.
 */
export function toStorableText(text: string): string {
  return text.replace(unstorableText, (c) => (c === "\u0000" ? "\u2400" : "\uFFFD"));
}

function toStorableValue(value: unknown): unknown {
  if (typeof value === "string") return toStorableText(value);
  if (Array.isArray(value)) return value.map(toStorableValue);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [toStorableText(key), toStorableValue(inner)]),
    );
  return value;
}

/**
 * A NUL or a lone surrogate half as JSON.stringify writes them: escaped, in lower case. It also
 * matches such an escape written as text (`\\u0000`), which only sends those details the long way.
 */
const escapedUnstorable = /\\u0000|\\ud[89a-f]/;

/** Details as stored: JSON whose keys and strings are all storable text. */
function toStorableDetails(details: Record<string, unknown> | undefined): string {
  const json: string | undefined = JSON.stringify(details ?? {});
  // Details whose toJSON gives nothing are no JSON, as the round trip below always refused them.
  if (json === undefined) throw new TypeError("The details of an object history entry must be JSON.");
  // Nearly all details are storable as they are, and then their JSON is what is stored: a batch
  // writes one entry a card, and the walk below made a fifth of its main thread's garbage.
  if (!escapedUnstorable.test(json)) return json;
  // The JSON round trip first turns dates and the like into what JSON.stringify writes for them.
  return JSON.stringify(toStorableValue(JSON.parse(json)));
}

const storableOrNull = (text: string | null | undefined) =>
  text === null || text === undefined ? null : toStorableText(text);

/** An entry's columns without its chain links: what a MAC covers (with `seq` left out) and what a reader sees. */
type AuditEntryRow = Omit<Selectable<AuditTable>, "prev_mac" | "mac">;
const entryColumns = [
  "seq",
  "at",
  "operator_id",
  "operator_name",
  "action",
  "object_type",
  "object_id",
  "outcome",
  "details",
] as const satisfies readonly (keyof AuditEntryRow)[];

function computeMac(key: Buffer, prevMac: string, row: Omit<AuditEntryRow, "seq">): string {
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
  /**
   * Appends entries in the caller's transaction, so they commit or roll back with the change.
   * Every text is stored as {@link toStorableText} makes it, and the MAC covers exactly that.
   */
  append(trx: Db, entries: AuditEntryInput[], at: string): Promise<void>;
  /**
   * Checks the chain, then the newest signed checkpoints (the database's and the file's): the
   * history must still hold each one's last entry with its MAC and at least its entries.
   */
  verify(db: Db): Promise<VerifyResult>;
  /**
   * Signs a checkpoint of the history's head when it has new entries since the newest one, and
   * keeps it in the table and the file. Refuses (throws) while the newest checkpoint is no
   * longer confirmed: a new one must not cover up removed entries. Returns the newest
   * checkpoint, written now or before (none while the history is empty).
   */
  writeCheckpoint(db: Db, at: string): Promise<AuditCheckpoint | undefined>;
}

export interface AuditLogSettings {
  dialect: Dialect;
  /** The HMAC key of the chain. */
  key: Buffer;
  checkpoints: {
    /** The 32-byte Ed25519 seed that signs checkpoints; never stored in the database. */
    key: Buffer;
    /** The file in the data folder that keeps the newest checkpoint; none for a store alone. */
    file?: string | undefined;
  };
}

interface Anchor {
  checkpoint: AuditCheckpoint;
  source: CheckpointSource;
}

const formatCount = (n: number) => n.toLocaleString("en-US");

function describeCheckpoint({ checkpoint, source }: Anchor): string {
  const where = source === "file" ? " kept in the data folder" : "";
  return `the checkpoint of ${checkpoint.at}${where} confirmed ${formatCount(checkpoint.entries)} entries`;
}

/**
 * Why the history no longer holds what a checkpoint confirmed, or undefined when it does.
 * `macAtCheckpoint` is the MAC the history holds at the checkpoint's last entry, if any.
 */
function checkAnchor(
  anchor: Anchor,
  head: { entries: number; lastSeq: number | undefined },
  macAtCheckpoint: string | undefined,
): string | undefined {
  const { checkpoint } = anchor;
  if (head.entries === 0) return `all entries were removed: ${describeCheckpoint(anchor)}`;
  if (macAtCheckpoint === undefined)
    return head.lastSeq !== undefined && head.lastSeq < checkpoint.lastSeq
      ? `entries were removed from the end: ${describeCheckpoint(anchor)}, the history holds ${formatCount(head.entries)}`
      : `entries were removed from the end and others written after: ${describeCheckpoint(anchor)} up to entry ${checkpoint.lastSeq}, which is gone`;
  if (macAtCheckpoint !== checkpoint.lastMac)
    return `entry ${checkpoint.lastSeq} was replaced: ${describeCheckpoint(anchor)} ending with another one`;
  if (head.entries < checkpoint.entries)
    return `entries were removed: ${describeCheckpoint(anchor)}, the history holds ${formatCount(head.entries)}`;
  return undefined;
}

/** The object history of one database, chained with `key` and anchored by signed checkpoints. */
export function createAuditLog({ dialect, key, checkpoints }: AuditLogSettings): AuditLog {
  const signer = createCheckpointSigner(checkpoints.key);

  /** The newest signed checkpoints to hold the history to: the database's and the file's. */
  async function findAnchors(db: Db): Promise<Anchor[]> {
    const anchors: Anchor[] = [];
    const stored = await findNewestSignedCheckpoint(db, signer);
    if (stored) anchors.push({ checkpoint: stored, source: "database" });
    const kept = checkpoints.file ? readCheckpointFile(checkpoints.file, signer) : undefined;
    if (kept) anchors.push({ checkpoint: kept, source: "file" });
    return anchors.sort((a, b) => b.checkpoint.lastSeq - a.checkpoint.lastSeq);
  }

  /** Keeps the newest checkpoint in the file, never moving it back to an older one. */
  function keepInFile(checkpoint: AuditCheckpoint): void {
    if (!checkpoints.file) return;
    const kept = readCheckpointFile(checkpoints.file, signer);
    if (kept && kept.lastSeq >= checkpoint.lastSeq) return;
    writeCheckpointFile(checkpoints.file, checkpoint);
  }

  return {
    async append(trx, entries, at) {
      if (entries.length === 0) return;
      // The chain lock lives as long as a transaction: outside one, make one.
      if (!trx.isTransaction) return trx.transaction().execute((t) => this.append(t, entries, at));
      // Several Tessera processes may share one PostgreSQL: take the chain in turns. The lock is
      // released at commit, after which the next writer reads this entry as its predecessor.
      await lockUntilCommit(trx, dialect, "auditChain");
      const last = await trx
        .selectFrom("audit_log")
        .select("mac")
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      let prevMac = last?.mac ?? genesis;
      // A loop, not a closure made per call: see `production/produce-chunk.ts`.
      const rows: Insertable<AuditTable>[] = [];
      for (const entry of entries) {
        // The MAC is computed over these very values, which both databases store unchanged.
        const row = {
          at: toStorableText(at),
          operator_id: storableOrNull(entry.operator?.id),
          operator_name: storableOrNull(entry.operator?.username),
          action: toStorableText(entry.action),
          object_type: storableOrNull(entry.objectType),
          object_id: storableOrNull(entry.objectId),
          outcome: toStorableText(entry.outcome),
          details: toStorableDetails(entry.details),
        };
        const mac = computeMac(key, prevMac, row);
        rows.push({ ...row, prev_mac: prevMac, mac });
        prevMac = mac;
      }
      for (const slice of slices(rows, 500)) {
        await trx.insertInto("audit_log").values(slice).execute();
      }
    },

    async verify(db) {
      // Read before the chain: whatever is appended meanwhile only lengthens the history.
      const anchors = await findAnchors(db);
      const anchorMacs = new Map<number, string>();
      const wanted = new Set(anchors.map((a) => a.checkpoint.lastSeq));
      let prevMac = genesis;
      let afterSeq = -1;
      let entries = 0;
      let lastSeq: number | undefined;
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
          lastSeq = Number(row.seq);
          if (wanted.has(lastSeq)) anchorMacs.set(lastSeq, row.mac);
        }
        if (rows.length < 5000) break;
      }
      for (const anchor of anchors) {
        const reason = checkAnchor(anchor, { entries, lastSeq }, anchorMacs.get(anchor.checkpoint.lastSeq));
        if (reason) return { valid: false, entries, firstBroken: { seq: anchor.checkpoint.lastSeq, reason } };
      }
      const newest = anchors[0]?.checkpoint;
      return {
        valid: true,
        entries,
        ...(newest && { lastCheckpoint: { at: newest.at, entries: newest.entries } }),
      };
    },

    async writeCheckpoint(db, at) {
      const written = await db.transaction().execute(async (trx) => {
        // Several Tessera processes may share one PostgreSQL: one checkpoint writer at a time.
        await lockUntilCommit(trx, dialect, "auditCheckpoint");
        const anchors = await findAnchors(trx);
        const newest = anchors[0]?.checkpoint;
        const macAt = async (seq: number) =>
          (await trx.selectFrom("audit_log").select("mac").where("seq", "=", seq).executeTakeFirst())?.mac;
        // Nothing new (the usual case, every minute): one index lookup each, no count.
        const newestSeq = await trx
          .selectFrom("audit_log")
          .select("seq")
          .orderBy("seq", "desc")
          .limit(1)
          .executeTakeFirst();
        if (
          newest &&
          newestSeq &&
          Number(newestSeq.seq) === newest.lastSeq &&
          (await macAt(newest.lastSeq)) === newest.lastMac
        )
          return newest;
        // One statement, so the count and the last entry are of the same moment.
        const head = await trx
          .selectFrom("audit_log")
          .select((eb) => [eb.fn.countAll<number>().as("entries"), eb.fn.max("seq").as("last_seq")])
          .executeTakeFirstOrThrow();
        const entries = Number(head.entries);
        const lastSeq = head.last_seq === null ? undefined : Number(head.last_seq);
        for (const anchor of anchors) {
          const reason = checkAnchor(anchor, { entries, lastSeq }, await macAt(anchor.checkpoint.lastSeq));
          if (reason) throw brokenHistoryError(reason);
        }
        if (lastSeq === undefined || (newest && newest.lastSeq >= lastSeq)) return newest;
        const lastMac = (await macAt(lastSeq))!;
        const checkpoint = signCheckpoint(signer, { at, entries, lastSeq, lastMac });
        await insertAuditCheckpoint(trx, checkpoint);
        return checkpoint;
      });
      // After the commit: the file never runs ahead of the database.
      if (written) keepInFile(written);
      return written;
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

function toEntry(row: AuditEntryRow): AuditEntry {
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
  page: PageRequest,
  /** Newest first unless asked. */
  direction: "asc" | "desc" = "desc",
): Promise<Page<AuditEntry>> {
  let query = db.selectFrom("audit_log");
  if (filter.objectType) query = query.where("object_type", "=", filter.objectType);
  if (filter.objectId) query = query.where("object_id", "=", filter.objectId);
  if (filter.operatorId) query = query.where("operator_id", "=", filter.operatorId);
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.outcome) query = query.where("outcome", "=", filter.outcome);
  if (filter.from) query = query.where("at", ">=", filter.from);
  if (filter.to) query = query.where("at", "<", filter.to);
  const total = await countRows(query);
  let pageQuery = query.select(entryColumns);
  if (page.cursor) {
    const [seq] = decodeCursor(page.cursor, ["bigint"], `seq ${direction}`) as [number];
    pageQuery = pageQuery.where("seq", direction === "desc" ? "<" : ">", seq);
  }
  const rows = await pageQuery
    .orderBy("seq", direction)
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, total, (row) => [Number(row.seq)], toEntry, `seq ${direction}`);
}

/** The history of one object, oldest first: a card's timeline. */
export async function findHistoryOf(db: Db, objectType: string, objectId: string): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("audit_log")
    .select(entryColumns)
    .where("object_type", "=", objectType)
    .where("object_id", "=", objectId)
    .orderBy("seq")
    .limit(1000)
    .execute();
  return rows.map(toEntry);
}
