import { createHash } from "node:crypto";
import { sql } from "kysely";
import { decodeCursor, type Page, toPage } from "./cursor.js";
import type { Db, Dialect } from "./database.js";

export type BatchState = "running" | "completed" | "cancelled";

export interface Batch {
  id: string;
  process: string;
  state: BatchState;
  options: Record<string, unknown>;
  createdBy: string;
  createdByName: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  total: number;
  done: number;
  failed: number;
  released: number;
  left: number;
  /**
   * Cards of the batch being produced right now (their chunk is taken): of a running batch
   * those of the chunks in work; of a cancelled one every card not yet finished, since the
   * chunks in work when it was cancelled finish.
   */
  inProduction: number;
  /** Cancelled while chunks were in production: they still finish (`finishedAt` is set when they have). */
  finishing: boolean;
  chunks: number;
  pinLettersPurgedAt: string | null;
}

function toBatch(
  row: {
    id: string;
    process: string;
    state: string;
    options: string;
    created_by: string;
    created_by_name: string;
    created_at: string;
    updated_at: string;
    finished_at: string | null;
    total: number;
    done: number;
    failed: number;
    released: number;
    chunks: number;
    pin_letters_purged_at: string | null;
  },
  running: ReadonlyMap<string, number> = new Map(),
): Batch {
  const left = row.total - row.done - row.failed - row.released;
  const finishing = row.state === "cancelled" && row.finished_at === null;
  return {
    id: row.id,
    process: row.process,
    state: row.state as BatchState,
    options: JSON.parse(row.options) as Record<string, unknown>,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    total: row.total,
    done: row.done,
    failed: row.failed,
    released: row.released,
    left,
    inProduction: row.state === "running" ? (running.get(row.id) ?? 0) : finishing ? left : 0,
    finishing,
    chunks: row.chunks,
    pinLettersPurgedAt: row.pin_letters_purged_at,
  };
}

export async function insertBatch(
  db: Db,
  batch: {
    id: string;
    process: string;
    options: unknown;
    createdBy: string;
    createdByName: string;
    chunks: number;
    total: number;
  },
  at: string,
): Promise<void> {
  await db
    .insertInto("batches")
    .values({
      id: batch.id,
      process: batch.process,
      state: "running",
      options: JSON.stringify(batch.options),
      created_by: batch.createdBy,
      created_by_name: batch.createdByName,
      created_at: at,
      updated_at: at,
      finished_at: null,
      total: batch.total,
      done: 0,
      failed: 0,
      released: 0,
      chunks: batch.chunks,
      pin_letters_purged_at: null,
    })
    .execute();
}

/**
 * Claims cards for a batch: a card is taken only if it is still in `state` and held by
 * no batch. The row lock makes two concurrent orders split the cards, never share one.
 */
export async function claimCards(
  db: Db,
  batchId: string,
  cardIds: readonly string[],
  at: string,
  state: string,
): Promise<string[]> {
  const claimed: string[] = [];
  for (let i = 0; i < cardIds.length; i += 1000) {
    const rows = await db
      .updateTable("cards")
      .set((eb) => ({
        batch_id: batchId,
        last_batch_id: batchId,
        version: eb("version", "+", 1),
        updated_at: at,
      }))
      .where("id", "in", cardIds.slice(i, i + 1000))
      .where("state", "=", state)
      .where("batch_id", "is", null)
      .returning("id")
      .execute();
    for (const row of rows) claimed.push(row.id);
  }
  return claimed;
}

/** Cards in a state, for the reasons of those a claim skipped. */
export async function findCardClaims(db: Db, cardIds: readonly string[]) {
  const found = new Map<string, { state: string; batchId: string | null; cardNumber: string }>();
  for (let i = 0; i < cardIds.length; i += 1000) {
    const rows = await db
      .selectFrom("cards")
      .select(["id", "state", "batch_id", "card_number"])
      .where("id", "in", cardIds.slice(i, i + 1000))
      .execute();
    for (const r of rows) found.set(r.id, { state: r.state, batchId: r.batch_id, cardNumber: r.card_number });
  }
  return found;
}

export async function insertBatchItems(
  db: Db,
  batchId: string,
  cardIds: readonly string[],
  chunkSize: number,
  at: string,
): Promise<number> {
  const chunks = Math.ceil(cardIds.length / chunkSize);
  for (let i = 0; i < cardIds.length; i += 1000) {
    await db
      .insertInto("batch_items")
      .values(
        cardIds.slice(i, i + 1000).map((cardId, j) => ({
          batch_id: batchId,
          card_id: cardId,
          seq: i + j + 1,
          chunk: Math.floor((i + j) / chunkSize) + 1,
          state: "pending",
          code: null,
          reason: null,
          ms: null,
          updated_at: at,
        })),
      )
      .execute();
  }
  for (let c = 1; c <= chunks; c += 1000) {
    await db
      .insertInto("batch_chunks")
      .values(
        Array.from({ length: Math.min(1000, chunks - c + 1) }, (_, k) => ({
          batch_id: batchId,
          chunk: c + k,
          state: "pending",
          claimed_by: null,
          lease_until: null,
          attempts: 0,
          updated_at: at,
        })),
      )
      .execute();
  }
  return chunks;
}

export async function findBatch(db: Db, id: string): Promise<Batch | undefined> {
  const row = await db.selectFrom("batches").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toBatch(row, row.state === "running" ? await countInProduction(db, [row.id]) : undefined);
}

/** Per running batch, its cards not yet finished in the chunks being produced now. */
async function countInProduction(db: Db, batchIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (batchIds.length === 0) return counts;
  const rows = await db
    .selectFrom("batch_chunks as c")
    .innerJoin("batch_items as i", (join) =>
      join.onRef("i.batch_id", "=", "c.batch_id").onRef("i.chunk", "=", "c.chunk"),
    )
    .select(["c.batch_id", (eb) => eb.fn.countAll().as("n")])
    .where("c.batch_id", "in", batchIds)
    .where("c.state", "=", "running")
    .where("i.state", "=", "pending")
    .groupBy("c.batch_id")
    .execute();
  for (const row of rows) counts.set(row.batch_id, Number(row.n));
  return counts;
}

export async function searchBatches(
  db: Db,
  filter: { state?: BatchState | undefined; process?: string | undefined },
  page: { cursor?: string | undefined; limit: number },
): Promise<Page<Batch>> {
  let query = db.selectFrom("batches");
  if (filter.state) query = query.where("state", "=", filter.state);
  if (filter.process) query = query.where("process", "=", filter.process);
  const total = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  let pageQuery = query.selectAll();
  if (page.cursor) {
    const [createdAt, id] = decodeCursor(page.cursor, ["text", "text"]) as [string, string];
    pageQuery = pageQuery.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(createdAt, id)));
  }
  const rows = await pageQuery
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit + 1)
    .execute();
  const running = await countInProduction(
    db,
    rows.filter((row) => row.state === "running").map((row) => row.id),
  );
  return toPage(
    rows,
    page.limit,
    total.n,
    (row) => [row.created_at, row.id],
    (row) => toBatch(row, running),
  );
}

export interface BatchItem {
  seq: number;
  cardId: string;
  cardNumber: string;
  holderName: string;
  state: string;
  code: string | null;
  reason: string | null;
}

export async function findBatchItems(
  db: Db,
  batchId: string,
  filter: { state?: string | undefined },
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: BatchItem[]; nextCursor: string | null }> {
  let query = db
    .selectFrom("batch_items as i")
    .innerJoin("cards as c", "c.id", "i.card_id")
    .select([
      "i.seq",
      "i.card_id as cardId",
      "c.card_number as cardNumber",
      "c.holder_name as holderName",
      "i.state",
      "i.code",
      "i.reason",
    ])
    .where("i.batch_id", "=", batchId);
  if (filter.state) query = query.where("i.state", "=", filter.state);
  if (page.cursor) {
    const [seq] = decodeCursor(page.cursor, ["integer"]) as [number];
    query = query.where("i.seq", ">", seq);
  }
  const rows = await query
    .orderBy("i.seq")
    .limit(page.limit + 1)
    .execute();
  const { items, nextCursor } = toPage(
    rows,
    page.limit,
    0,
    (row) => [row.seq],
    (row) => row,
  );
  return { items, nextCursor };
}

/**
 * Takes the next chunk to produce: a pending one, or a running one whose lease ran out (its
 * producer died). On PostgreSQL, SKIP LOCKED lets several Tessera processes take chunks of one
 * batch side by side without waiting on each other. A cancelled batch's chunks that were in
 * production when it was cancelled are still finished (taken again after a crash or a failed
 * attempt), so its cards end produced or failed, never held half-made.
 */
export async function claimNextChunk(
  db: Db,
  dialect: Dialect,
  claim: { instanceId: string; now: string; leaseUntil: string },
): Promise<{ batchId: string; chunk: number; process: string; attempts: number } | undefined> {
  const lock = dialect === "postgres" ? sql`for update of c skip locked` : sql``;
  const result = await sql<{ batch_id: string; chunk: number; attempts: number }>`
    update batch_chunks
       set state = 'running', claimed_by = ${claim.instanceId}, lease_until = ${claim.leaseUntil},
           attempts = attempts + 1, updated_at = ${claim.now}
     where (batch_id, chunk) = (
       select c.batch_id, c.chunk
         from batch_chunks c join batches b on b.id = c.batch_id
        where (b.state = 'running' or (b.state = 'cancelled' and b.finished_at is null))
          and (c.state = 'pending' or (c.state = 'running' and c.lease_until < ${claim.now}))
        order by b.created_at, c.batch_id, c.chunk
        limit 1
        ${lock})
    returning batch_id, chunk, attempts`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const batch = await db
    .selectFrom("batches")
    .select("process")
    .where("id", "=", row.batch_id)
    .executeTakeFirstOrThrow();
  return {
    batchId: row.batch_id,
    chunk: Number(row.chunk),
    process: batch.process,
    attempts: Number(row.attempts),
  };
}

export async function renewChunkLease(
  db: Db,
  chunk: { batchId: string; chunk: number; instanceId: string; leaseUntil: string },
): Promise<void> {
  await db
    .updateTable("batch_chunks")
    .set({ lease_until: chunk.leaseUntil })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .where("claimed_by", "=", chunk.instanceId)
    .where("state", "=", "running")
    .execute();
}

/** Whether this instance still holds the chunk (it may have lost it after a lease ran out). */
export async function holdsChunk(db: Db, chunk: { batchId: string; chunk: number; instanceId: string }) {
  const row = await db
    .selectFrom("batch_chunks")
    .select("state")
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .where("claimed_by", "=", chunk.instanceId)
    .executeTakeFirst();
  return row?.state === "running";
}

/** Gives a chunk back to be tried again (after a failure that was not its cards' fault). */
export async function releaseChunk(
  db: Db,
  chunk: { batchId: string; chunk: number; instanceId: string },
  at: string,
) {
  await db
    .updateTable("batch_chunks")
    .set({ state: "pending", claimed_by: null, lease_until: null, updated_at: at })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .where("claimed_by", "=", chunk.instanceId)
    .where("state", "=", "running")
    .execute();
}

/** After a restart on SQLite (one process per file), chunks this database was producing are pending again. */
export async function releaseRunningChunks(db: Db, at: string): Promise<number> {
  const result = await db
    .updateTable("batch_chunks")
    .set({ state: "pending", claimed_by: null, lease_until: null, updated_at: at })
    .where("state", "=", "running")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findPendingItemsOfChunk(db: Db, batchId: string, chunk: number) {
  return db
    .selectFrom("batch_items")
    .select(["card_id", "seq"])
    .where("batch_id", "=", batchId)
    .where("chunk", "=", chunk)
    .where("state", "=", "pending")
    .orderBy("seq")
    .execute();
}

export async function finishItems(
  db: Db,
  batchId: string,
  items: readonly { cardId: string; state: "done" | "failed"; code?: string; reason?: string; ms?: number }[],
  at: string,
): Promise<void> {
  for (const item of items) {
    await db
      .updateTable("batch_items")
      .set({
        state: item.state,
        code: item.code ?? null,
        reason: item.reason ?? null,
        ms: item.ms ?? null,
        updated_at: at,
      })
      .where("batch_id", "=", batchId)
      .where("card_id", "=", item.cardId)
      .execute();
  }
}

/** Marks a chunk done and adds its counts to the batch; completes the batch when nothing is left. */
export async function finishChunk(
  db: Db,
  chunk: { batchId: string; chunk: number; done: number; failed: number },
  at: string,
): Promise<Batch> {
  await db
    .updateTable("batch_chunks")
    .set({ state: "done", lease_until: null, updated_at: at })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .execute();
  await db
    .updateTable("batches")
    .set((eb) => ({
      done: eb("done", "+", chunk.done),
      failed: eb("failed", "+", chunk.failed),
      updated_at: at,
    }))
    .where("id", "=", chunk.batchId)
    .execute();
  await finishBatchIfIdle(db, chunk.batchId, at);
  return (await findBatch(db, chunk.batchId))!;
}

/** A running batch with no chunk left to do is completed; a cancelled one gets its end time. */
export async function finishBatchIfIdle(db: Db, batchId: string, at: string): Promise<void> {
  const open = await db
    .selectFrom("batch_chunks")
    .select("chunk")
    .where("batch_id", "=", batchId)
    .where("state", "in", ["pending", "running"])
    .limit(1)
    .executeTakeFirst();
  if (open) return;
  await db
    .updateTable("batches")
    .set((eb) => ({
      state: eb.case().when("state", "=", "running").then("completed").else(eb.ref("state")).end(),
      finished_at: at,
      updated_at: at,
    }))
    .where("id", "=", batchId)
    .where("finished_at", "is", null)
    .execute();
}

/**
 * Cancels a running batch: chunks not started are dropped and their cards given back
 * (approved, held by no batch); chunks being produced finish and count as started.
 */
export async function cancelBatch(db: Db, batchId: string, at: string): Promise<number> {
  await db
    .updateTable("batch_chunks")
    .set({ state: "cancelled", updated_at: at })
    .where("batch_id", "=", batchId)
    .where("state", "=", "pending")
    .execute();
  const released = await db
    .updateTable("batch_items")
    .set({ state: "released", updated_at: at })
    .where("batch_id", "=", batchId)
    .where("state", "=", "pending")
    .where((eb) =>
      eb(
        "chunk",
        "in",
        eb
          .selectFrom("batch_chunks")
          .select("chunk")
          .where("batch_id", "=", batchId)
          .where("state", "=", "cancelled"),
      ),
    )
    .returning("card_id")
    .execute();
  const cardIds = released.map((r) => r.card_id);
  for (let i = 0; i < cardIds.length; i += 1000) {
    await db
      .updateTable("cards")
      .set((eb) => ({ batch_id: null, version: eb("version", "+", 1), updated_at: at }))
      .where("id", "in", cardIds.slice(i, i + 1000))
      .where("batch_id", "=", batchId)
      .where("state", "=", "approved")
      .execute();
  }
  await db
    .updateTable("batches")
    .set((eb) => ({ state: "cancelled", released: eb("released", "+", cardIds.length), updated_at: at }))
    .where("id", "=", batchId)
    .execute();
  await finishBatchIfIdle(db, batchId, at);
  return cardIds.length;
}

export type PartKind = "print" | "pinLetters";

export async function insertBatchPart(
  db: Db,
  part: { batchId: string; kind: PartKind; chunk: number; pages: number; data: Buffer },
): Promise<void> {
  await db
    .insertInto("batch_parts")
    .values({
      batch_id: part.batchId,
      kind: part.kind,
      chunk: part.chunk,
      pages: part.pages,
      data: part.data,
    })
    .execute();
}

export async function listBatchParts(db: Db, batchId: string, kind: PartKind) {
  const rows = await db
    .selectFrom("batch_parts")
    .select(["chunk", "pages", (eb) => eb.fn("length", [eb.ref("data")]).as("bytes")])
    .where("batch_id", "=", batchId)
    .where("kind", "=", kind)
    .orderBy("chunk")
    .execute();
  return rows.map((r) => ({ chunk: Number(r.chunk), pages: Number(r.pages), bytes: Number(r.bytes) }));
}

export async function readBatchPart(
  db: Db,
  batchId: string,
  kind: PartKind,
  chunk: number,
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom("batch_parts")
    .select("data")
    .where("batch_id", "=", batchId)
    .where("kind", "=", kind)
    .where("chunk", "=", chunk)
    .executeTakeFirst();
  return row && Buffer.from(row.data);
}

export async function purgePinLetters(db: Db, batchId: string, at: string): Promise<void> {
  await db
    .deleteFrom("batch_parts")
    .where("batch_id", "=", batchId)
    .where("kind", "=", "pinLetters")
    .execute();
  await db
    .updateTable("batches")
    .set({ pin_letters_purged_at: at, updated_at: at })
    .where("id", "=", batchId)
    .execute();
}

/** Stores the software tokens a batch made, each with the card's version as production left it. */
export async function insertCardTokens(
  db: Db,
  batchId: string,
  tokens: readonly { cardId: string; token: Buffer; cardVersion: number }[],
  at: string,
) {
  for (let i = 0; i < tokens.length; i += 200) {
    await db
      .insertInto("card_tokens")
      .values(
        tokens.slice(i, i + 200).map((t) => ({
          card_id: t.cardId,
          token: t.token,
          card_version: t.cardVersion,
          batch_id: batchId,
          created_at: at,
        })),
      )
      .execute();
  }
}

export interface CardTokenState {
  downloads: number;
  /** The card's version as production left it (null: made before migration 008). */
  cardVersion: number | null;
  /** The batch that made the token. */
  batchId: string | null;
}

/** What is known of a card's software token, without its bytes; undefined when it has none. */
export async function findCardTokenState(db: Db, cardId: string): Promise<CardTokenState | undefined> {
  const row = await db
    .selectFrom("card_tokens")
    .select(["downloads", "card_version", "batch_id"])
    .where("card_id", "=", cardId)
    .executeTakeFirst();
  return (
    row && {
      downloads: Number(row.downloads),
      cardVersion: row.card_version === null ? null : Number(row.card_version),
      batchId: row.batch_id,
    }
  );
}

// Any constant works: it only has to be the same for every Tessera sharing one database.
const batchSecretsLockSpace = 7_431_011;

/**
 * Makes the caller's transaction the only one handing out the secrets (PIN letters, software
 * tokens) of this batch until it ends, so that the check "has this operator fetched the other
 * half?" and the download that records it cannot interleave with another download: asked for
 * at the same moment, the PIN letters and a token would otherwise both pass the check. On
 * PostgreSQL a transaction-scoped advisory lock; SQLite has one connection, held by the
 * transaction.
 */
export async function lockBatchSecrets(trx: Db, dialect: Dialect, batchId: string): Promise<void> {
  if (dialect !== "postgres") return;
  const n = createHash("sha256").update(batchId).digest().readInt32BE(0);
  await sql`select pg_advisory_xact_lock(${batchSecretsLockSpace}, ${n})`.execute(trx);
}

/**
 * Whether the operator has fetched the PIN letters of the batch, or a software token the batch
 * made: read from the object history, where every download is recorded. One operator may hold
 * one half of a batch's secrets, never both.
 */
export async function hasFetchedBatchSecret(
  db: Db,
  operatorId: string,
  batchId: string,
  secret: "pinLetters" | "token",
): Promise<boolean> {
  const row =
    secret === "pinLetters"
      ? await db
          .selectFrom("audit_log")
          .select("seq")
          .where("object_type", "=", "batch")
          .where("object_id", "=", batchId)
          .where("action", "=", "batch.downloadPinLetters")
          .where("outcome", "=", "success")
          .where("operator_id", "=", operatorId)
          .limit(1)
          .executeTakeFirst()
      : await db
          .selectFrom("audit_log")
          .innerJoin("card_tokens", "card_tokens.card_id", "audit_log.object_id")
          .select("audit_log.seq")
          .where("audit_log.object_type", "=", "card")
          .where("audit_log.action", "=", "card.downloadToken")
          .where("audit_log.outcome", "=", "success")
          .where("audit_log.operator_id", "=", operatorId)
          .where("card_tokens.batch_id", "=", batchId)
          .limit(1)
          .executeTakeFirst();
  return row !== undefined;
}

/**
 * Counts one download of a card's software token, unless `limit` downloads were made already:
 * the guard is in the update itself, so two downloads at once cannot both take the last one.
 * Returns the token and its download count now, `limit` when it was reached, or undefined
 * when the card has no token.
 */
export async function takeCardTokenDownload(
  db: Db,
  cardId: string,
  limit: number,
): Promise<{ token: Buffer; downloads: number } | "limit" | undefined> {
  const row = await db
    .updateTable("card_tokens")
    .set((eb) => ({ downloads: eb("downloads", "+", 1) }))
    .where("card_id", "=", cardId)
    .where("downloads", "<", limit)
    .returning(["token", "downloads"])
    .executeTakeFirst();
  if (row) return { token: Buffer.from(row.token), downloads: Number(row.downloads) };
  const exists = await db
    .selectFrom("card_tokens")
    .select("card_id")
    .where("card_id", "=", cardId)
    .executeTakeFirst();
  return exists ? "limit" : undefined;
}

/**
 * Erases the bytes of purged rows from every file once the purge has committed. SQLite
 * (secure_delete on) has zeroed the freed pages, but their old images still sit in the WAL:
 * a TRUNCATE checkpoint copies the zeroed pages into the database file and empties the WAL.
 * PostgreSQL offers no such guarantee; VACUUM (outside any transaction) marks the dead
 * tuples' space free for reuse, the most that can be done without locking the table.
 * Returns whether the WAL was fully checkpointed (always true on PostgreSQL).
 */
export async function scrubPurgedBatchParts(db: Db, dialect: Dialect): Promise<boolean> {
  if (dialect === "postgres") {
    await sql`vacuum batch_parts`.execute(db);
    return true;
  }
  const result = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  return Number(result.rows[0]?.busy ?? 0) === 0;
}
