import { sql } from "kysely";
import type { Batch } from "../domain/batch.js";
import { findProcess } from "../domain/process-catalog.js";
import { findBatch, finishBatchIfIdle } from "./batches.js";
import type { Db, Dialect } from "./database.js";

/** The chunks of a batch: claimed with a lease by one producer at a time, finished all at once. */

/** A chunk claimed for production. */
export interface ChunkClaim {
  readonly batchId: string;
  readonly chunk: number;
  readonly process: string;
  /** This claim included: after a number of failed attempts the chunk's cards fail. */
  readonly attempts: number;
}

/** The chunks of a new batch, all pending: the unit the batch runner claims, produces and records at once. */
export async function insertBatchChunks(db: Db, batchId: string, chunks: number, at: string): Promise<void> {
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
}

/**
 * Writes down the card templates of each chunk of a new batch, which a process claiming chunks
 * compares with those it makes (`claimNextChunk`).
 */
export async function recordChunkTemplates(db: Db, batchId: string): Promise<void> {
  await db
    .insertInto("batch_chunk_templates")
    .columns(["batch_id", "chunk", "template"])
    .expression((eb) =>
      eb
        .selectFrom("batch_items as i")
        .innerJoin("cards as k", "k.id", "i.card_id")
        .select(["i.batch_id", "i.chunk", "k.template"])
        .distinct()
        .where("i.batch_id", "=", batchId),
    )
    .execute();
}

/** Marks the chunks of a new batch that hold cards of these (chip) templates. */
export async function markChipChunks(
  db: Db,
  batchId: string,
  chipTemplates: readonly string[],
): Promise<void> {
  if (chipTemplates.length === 0) return;
  await db
    .updateTable("batch_chunks")
    .set({ encoder: "pkcs11" })
    .where("batch_id", "=", batchId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("batch_items as i")
          .innerJoin("cards as k", "k.id", "i.card_id")
          .select("i.card_id")
          .whereRef("i.batch_id", "=", "batch_chunks.batch_id")
          .whereRef("i.chunk", "=", "batch_chunks.chunk")
          .where("k.template", "in", chipTemplates),
      ),
    )
    .execute();
}

const issueMultiple = findProcess("CardsBoProcIssueMultiple").symbolicName;

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
  claim: {
    instanceId: string;
    now: string;
    leaseUntil: string;
    chip?: boolean;
    /**
     * The card templates this process makes cards of. Given, a running issuing batch's chunk
     * holding cards of another is left to a process that makes it (a station with readers of that card
     * type), rather than failed here attempt after attempt. A cancelled batch's chunk is taken
     * whatever its templates: it must end, made or failed, and so free its cards.
     */
    templates?: readonly string[];
  },
): Promise<ChunkClaim | undefined> {
  const lock = dialect === "postgres" ? sql`for update of c skip locked` : sql``;
  // A process without card readers leaves chunks of chip cards to a production station.
  const encoders = claim.chip ? sql`` : sql`and c.encoder = 'software'`;
  const made = claim.templates;
  const templates = !made
    ? sql``
    : sql`and (b.state <> 'running' or b.process <> ${issueMultiple} or not exists (
             select 1 from batch_chunk_templates t
              where t.batch_id = c.batch_id and t.chunk = c.chunk
                ${made.length > 0 ? sql`and t.template not in (${sql.join(made)})` : sql``}))`;
  const result = await sql<{ batch_id: string; chunk: number; attempts: number; process: string }>`
    update batch_chunks
       set state = 'running', claimed_by = ${claim.instanceId}, lease_until = ${claim.leaseUntil},
           attempts = attempts + 1, updated_at = ${claim.now}, waiting_for_blank_card_since = null
     where (batch_id, chunk) = (
       select c.batch_id, c.chunk
         from batch_chunks c join batches b on b.id = c.batch_id
        where (b.state = 'running' or (b.state = 'cancelled' and b.finished_at is null))
          and (c.state = 'pending' or (c.state = 'running' and c.lease_until < ${claim.now}))
          ${encoders}
          ${templates}
        order by b.created_at, c.batch_id, c.chunk
        limit 1
        ${lock})
    returning batch_id, chunk, attempts,
              (select b.process from batches b where b.id = batch_chunks.batch_id) as process`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    batchId: row.batch_id,
    chunk: Number(row.chunk),
    process: row.process,
    attempts: Number(row.attempts),
  };
}

/**
 * Says on the held chunk since when a card of it waits for a blank card at its station (`since`),
 * or that none waits any longer (null): the batch's operators read it on the batch page.
 */
export async function markChunkWaitingForBlankCard(
  db: Db,
  chunk: { batchId: string; chunk: number; instanceId: string },
  since: string | null,
): Promise<void> {
  await db
    .updateTable("batch_chunks")
    .set({ waiting_for_blank_card_since: since })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .where("claimed_by", "=", chunk.instanceId)
    .where("state", "=", "running")
    .execute();
}

/** Extends a held chunk's lease; false when this producer no longer holds it (another took it over). */
export async function renewChunkLease(
  db: Db,
  chunk: { batchId: string; chunk: number; instanceId: string; leaseUntil: string },
): Promise<boolean> {
  const result = await db
    .updateTable("batch_chunks")
    .set({ lease_until: chunk.leaseUntil })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .where("claimed_by", "=", chunk.instanceId)
    .where("state", "=", "running")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Gives a chunk back to be tried again (after a failure that was not its cards' fault). `uncounted`:
 * the attempt does not count, as when the producer stopped before it had touched anything.
 */
export async function releaseChunk(
  db: Db,
  chunk: { batchId: string; chunk: number; instanceId: string },
  at: string,
  uncounted = false,
) {
  await db
    .updateTable("batch_chunks")
    .set((eb) => ({
      state: "pending",
      claimed_by: null,
      lease_until: null,
      updated_at: at,
      ...(uncounted && { attempts: eb("attempts", "-", 1) }),
    }))
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

/**
 * Locks the chunk and checks this instance still holds it. A producer whose lease ran out may
 * have lost the chunk to another; only the holder may record it, so no card is recorded twice.
 */
export async function lockHeldChunk(
  trx: Db,
  dialect: Dialect,
  chunk: { batchId: string; chunk: number; instanceId: string },
): Promise<boolean> {
  const lock = dialect === "postgres" ? sql`for update` : sql``;
  const result = await sql<{ state: string; claimed_by: string | null }>`
    select state, claimed_by from batch_chunks where batch_id = ${chunk.batchId} and chunk = ${chunk.chunk} ${lock}`.execute(
    trx,
  );
  const row = result.rows[0];
  return row?.state === "running" && row.claimed_by === chunk.instanceId;
}

/** Marks a chunk done and adds its counts to the batch; completes the batch when nothing is left. */
export async function finishChunk(
  db: Db,
  chunk: { batchId: string; chunk: number; done: number; failed: number; released?: number },
  at: string,
): Promise<Batch> {
  await db
    .updateTable("batch_chunks")
    .set({ state: "done", lease_until: null, updated_at: at })
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .execute();
  // Only chunks still to be taken need their templates: the claims read them all.
  await db
    .deleteFrom("batch_chunk_templates")
    .where("batch_id", "=", chunk.batchId)
    .where("chunk", "=", chunk.chunk)
    .execute();
  await db
    .updateTable("batches")
    .set((eb) => ({
      done: eb("done", "+", chunk.done),
      failed: eb("failed", "+", chunk.failed),
      released: eb("released", "+", chunk.released ?? 0),
      updated_at: at,
    }))
    .where("id", "=", chunk.batchId)
    .execute();
  await finishBatchIfIdle(db, chunk.batchId, at);
  return (await findBatch(db, chunk.batchId))!;
}
