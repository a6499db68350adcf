import type { Selectable } from "kysely";
import type { Batch, BatchState } from "../domain/batch.js";
import { parseBatchOptions } from "../domain/batch.js";
import type { CardState } from "../domain/card-states.js";
import { findProcess, type SymbolicName } from "../domain/process-catalog.js";
import { decodeCursor, type Page, toPage } from "./cursor.js";
import type { Db, Dialect } from "./database.js";
import { inList } from "./in-list.js";
import type { BatchTable } from "./schema.js";
import { reserveSequence } from "./sequences.js";
import { slices } from "./slices.js";

/** Batch orders: the batch rows, and the claim a batch holds on its cards. */

function toBatch(row: Selectable<BatchTable>, running: ReadonlyMap<string, InProduction> = new Map()): Batch {
  const left = row.total - row.done - row.failed - row.released;
  const finishing = row.state === "cancelled" && row.finished_at === null;
  return {
    id: row.id,
    number: Number(row.number),
    process: row.process,
    state: row.state as BatchState,
    options: parseBatchOptions(row.process, JSON.parse(row.options)),
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
    inProduction: row.state === "running" ? (running.get(row.id)?.cards ?? 0) : finishing ? left : 0,
    waitingForBlankCardSince: running.get(row.id)?.waitingForBlankCardSince ?? null,
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
    /** Parsed by the process's schema before it is stored (see `parseBatchOptions`). */
    options: unknown;
    createdBy: string;
    createdByName: string;
    chunks: number;
    total: number;
  },
  at: string,
): Promise<void> {
  const number = await reserveSequence(db, "batch-number");
  await db
    .insertInto("batches")
    .values({
      id: batch.id,
      number,
      process: batch.process,
      state: "running",
      options: JSON.stringify(parseBatchOptions(batch.process, batch.options)),
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
 *
 * The cards are claimed {@link claimedPerStatement} a statement (`inList`: one bound list each),
 * in the order of their ids, not the operator's: two orders of overlapping cards then lock them
 * in the same order, and the second waits for the first rather than each holding rows the other
 * waits for (PostgreSQL breaks such a deadlock by failing one of the orders).
 */
export async function claimCards(
  db: Db,
  dialect: Dialect,
  batchId: string,
  cardIds: readonly string[],
  at: string,
  state: string,
): Promise<string[]> {
  const claimed: string[] = [];
  for (const slice of slices([...cardIds].sort(), claimedPerStatement)) {
    const rows = await db
      .updateTable("cards")
      .set((eb) => ({
        batch_id: batchId,
        last_batch_id: batchId,
        version: eb("version", "+", 1),
        updated_at: at,
      }))
      .where(inList(dialect, "id", slice))
      .where("state", "=", state)
      .where("batch_id", "is", null)
      .returning("id")
      .execute();
    for (const row of rows) claimed.push(row.id);
  }
  return claimed;
}

/** Enough that one statement claims a 5,000-card batch; few enough that a 100,000-card order holds one slice's list at a time. */
const claimedPerStatement = 5_000;

/** Cards in a state, for the reasons of those a claim skipped. */
export async function findCardClaims(db: Db, cardIds: readonly string[]) {
  const found = new Map<string, { state: string; batchId: string | null; cardNumber: string }>();
  for (const slice of slices(cardIds, 1000)) {
    const rows = await db
      .selectFrom("cards")
      .select(["id", "state", "batch_id", "card_number"])
      .where("id", "in", slice)
      .execute();
    for (const r of rows) found.set(r.id, { state: r.state, batchId: r.batch_id, cardNumber: r.card_number });
  }
  return found;
}

export async function findBatch(db: Db, id: string): Promise<Batch | undefined> {
  const row = await db.selectFrom("batches").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toBatch(row, row.state === "running" ? await countInProduction(db, [row.id]) : undefined);
}

/** What a batch has in production now. */
interface InProduction {
  /** Its cards not yet finished in the chunks being produced. */
  cards: number;
  /** Since when the first of those chunks waits for a blank card at its station, if one does. */
  waitingForBlankCardSince: string | null;
}

/** Per running batch, what it has in production now. */
async function countInProduction(db: Db, batchIds: readonly string[]): Promise<Map<string, InProduction>> {
  const counts = new Map<string, InProduction>();
  if (batchIds.length === 0) return counts;
  const rows = await inProductionQuery(db, batchIds).execute();
  for (const row of rows)
    counts.set(row.batch_id, { cards: Number(row.n), waitingForBlankCardSince: row.waiting ?? null });
  return counts;
}

/**
 * The query behind `countInProduction`: the pending items of each batch's running chunks. It is
 * asked at every claim and every recorded chunk, so it must read a chunk's items, not all a
 * batch's pending ones: the state is compared with IS NOT DISTINCT FROM, which PostgreSQL serves
 * from no index, and SQLite has an index that leads it by the chunk (see migration 026).
 * Exported for the test that holds its plan to that.
 */
export function inProductionQuery(db: Db, batchIds: readonly string[]) {
  return db
    .selectFrom("batch_chunks as c")
    .innerJoin("batch_items as i", (join) =>
      join.onRef("i.batch_id", "=", "c.batch_id").onRef("i.chunk", "=", "c.chunk"),
    )
    .select([
      "c.batch_id",
      (eb) => eb.fn.countAll().as("n"),
      (eb) => eb.fn.min("c.waiting_for_blank_card_since").as("waiting"),
    ])
    .where("c.batch_id", "in", batchIds)
    .where("c.state", "=", "running")
    .where("i.state", "is not distinct from", "pending")
    .groupBy("c.batch_id");
}

export async function searchBatches(
  db: Db,
  filter: {
    state?: BatchState | undefined;
    process?: string | undefined;
    pinLetters?: "kept" | "purged" | undefined;
  },
  page: { cursor?: string | undefined; limit: number },
  /** Newest first unless asked. */
  direction: "asc" | "desc" = "desc",
): Promise<Page<Batch>> {
  let query = db.selectFrom("batches");
  if (filter.state) query = query.where("state", "=", filter.state);
  if (filter.process) query = query.where("process", "=", filter.process);
  // A batch's PIN letters are kept from its first card made until a PIN mailer purges them.
  if (filter.pinLetters)
    query = query
      .where("process", "=", "CardsBoProcIssueMultiple")
      .where("done", ">", 0)
      .where("pin_letters_purged_at", filter.pinLetters === "kept" ? "is" : "is not", null);
  const total = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  let pageQuery = query.selectAll();
  if (page.cursor) {
    const [createdAt, id] = decodeCursor(page.cursor, ["text", "text"], `created ${direction}`) as [
      string,
      string,
    ];
    pageQuery = pageQuery.where((eb) =>
      eb(eb.refTuple("created_at", "id"), direction === "desc" ? "<" : ">", eb.tuple(createdAt, id)),
    );
  }
  const rows = await pageQuery
    .orderBy("created_at", direction)
    .orderBy("id", direction)
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
    `created ${direction}`,
  );
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
 * These cards go back free from the batch that holds them. Given `claimed` (a batch order giving
 * back cards it did not make), only those still in a state it claimed them in, each a new
 * version; without it (an activation, whose cards changed state or stay as they were), as they are.
 */
export async function releaseCards(
  db: Db,
  batchId: string,
  cardIds: readonly string[],
  claimed?: { readonly in: readonly CardState[]; readonly at: string },
): Promise<void> {
  for (const slice of slices(cardIds, 1000)) {
    let query = db
      .updateTable("cards")
      .set((eb) => ({
        batch_id: null,
        ...(claimed && { version: eb("version", "+", 1), updated_at: claimed.at }),
      }))
      .where("id", "in", slice)
      // Not "=": the cards are found by their ids, whatever the statistics believe of a new
      // batch (see update-rows.ts).
      .where("batch_id", "is not distinct from", batchId);
    if (claimed) query = query.where("state", "in", claimed.in);
    await query.execute();
  }
}

/**
 * Cancels a running batch: chunks not started are dropped and their cards given back
 * (approved, held by no batch); chunks being produced finish and count as started, but for their
 * chip cards still waiting for a blank card, which are given back when the chunk is recorded.
 */
export async function cancelBatch(db: Db, batchId: string, at: string): Promise<number> {
  await db
    .updateTable("batch_chunks")
    .set({ state: "cancelled", updated_at: at })
    .where("batch_id", "=", batchId)
    .where("state", "=", "pending")
    .execute();
  // Only chunks still to be taken need their templates (see `recordChunkTemplates`).
  await db
    .deleteFrom("batch_chunk_templates")
    .where("batch_id", "=", batchId)
    .where("chunk", "in", (eb) =>
      eb
        .selectFrom("batch_chunks")
        .select("chunk")
        .where("batch_id", "=", batchId)
        .where("state", "=", "cancelled"),
    )
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
  // The cards go back free in the state the batch claimed them in: approved for Issue multiple
  // cards, issued for Activate multiple cards (its cards stayed held by a cancelled batch).
  const { process } = await db
    .selectFrom("batches")
    .select("process")
    .where("id", "=", batchId)
    .executeTakeFirstOrThrow();
  await releaseCards(db, batchId, cardIds, {
    in: findProcess(process as SymbolicName).requiredCardStates,
    at,
  });
  await db
    .updateTable("batches")
    .set((eb) => ({ state: "cancelled", released: eb("released", "+", cardIds.length), updated_at: at }))
    .where("id", "=", batchId)
    .execute();
  await finishBatchIfIdle(db, batchId, at);
  return cardIds.length;
}
