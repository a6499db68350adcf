import { sql } from "kysely";
import type { ErrorCode } from "../domain/errors.js";
import { insertBatchChunks } from "./batch-chunks.js";
import { decodeCursor, toPage } from "./cursor.js";
import type { Db, Dialect } from "./database.js";
import { type RowColumn, updateRows } from "./update-rows.js";

/** The items of a batch: one per card, in the order the operator chose, with its outcome. */

/**
 * One item per card, in order, each in its chunk: `chunkSizes` are the chunks' sizes in order
 * (`planChunks`). Returns the number of chunks.
 *
 * The items go in as a JSON parameter that the database unrolls, {@link itemsPerStatement} a
 * statement. Built as rows of bound parameters, 10,000 items took ten statements of 9,000
 * parameters each, which Kysely compiled and the database parsed anew, while the batch's threads
 * waited for the order: 70 ms on SQLite and 300 ms on PostgreSQL; 30 and 165 ms this way.
 */
export async function insertBatchItems(
  db: Db,
  dialect: Dialect,
  batchId: string,
  cardIds: readonly string[],
  chunkSizes: readonly number[],
  at: string,
): Promise<number> {
  if (!chunkSizes.every((size) => Number.isInteger(size) && size > 0))
    throw new RangeError(
      `A chunk holds a whole number of cards, at least one: not ${chunkSizes.join(", ")}.`,
    );
  const planned = chunkSizes.reduce((sum, size) => sum + size, 0);
  if (planned !== cardIds.length)
    throw new RangeError(`The chunks hold ${planned} cards, the batch ${cardIds.length}.`);
  const chunkOf = new Uint32Array(cardIds.length);
  let seq = 0;
  for (let c = 0; c < chunkSizes.length; c++) {
    chunkOf.fill(c + 1, seq, seq + chunkSizes[c]!);
    seq += chunkSizes[c]!;
  }
  for (let from = 0; from < cardIds.length; from += itemsPerStatement) {
    const items: [cardId: string, seq: number, chunk: number][] = [];
    for (let i = from; i < Math.min(from + itemsPerStatement, cardIds.length); i++)
      items.push([cardIds[i]!, i + 1, chunkOf[i]!]);
    const json = JSON.stringify(items);
    await (dialect === "sqlite"
      ? sql`insert into batch_items (batch_id, card_id, seq, chunk, state, updated_at)
            select ${batchId}, value ->> 0, value ->> 1, value ->> 2, 'pending', ${at} from json_each(${json})`
      : sql`insert into batch_items (batch_id, card_id, seq, chunk, state, updated_at)
            select ${batchId}, e.value ->> 0, (e.value ->> 1)::integer, (e.value ->> 2)::integer, 'pending', ${at}
              from jsonb_array_elements(${json}::jsonb) as e(value)`
    ).execute(db);
  }
  await insertBatchChunks(db, batchId, chunkSizes.length, at);
  return chunkSizes.length;
}

/**
 * Items written by one statement: few enough that a 100,000-card order holds one slice's JSON
 * at a time (written at once, the order's transient memory raised the batch's peak RSS from
 * ≈ 260 to 298 MB, `npm run bench -- batch --size 100000`).
 */
export const itemsPerStatement = 5_000;

export interface BatchItem {
  seq: number;
  cardId: string;
  cardNumber: string;
  holderName: string;
  state: string;
  code: string | null;
  reason: string | null;
  /** The chip the card went to, for a card personalised through PKCS#11. */
  tokenSerial: string | null;
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
      "c.token_serial as tokenSerial",
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

/** A card of a chunk still to produce, with what production needs of its holder. */
export interface PendingCard {
  readonly cardId: string;
  readonly cardNumber: string;
  readonly template: string;
  readonly userId: string;
  readonly holder: {
    readonly firstName: string;
    readonly lastName: string;
    readonly email: string;
    readonly identifier: string;
    readonly organization: string | null;
    readonly organizationalUnit: string | null;
    readonly title: string | null;
    readonly upn: string | null;
    readonly sid: string | null;
    /** Printed and certified instead of the legal name, when set. */
    readonly nameOnCard: string | null;
    readonly addressLines: string[];
  };
  readonly photo: Uint8Array | null;
  /** The card this one renews, which its activation locks. */
  readonly predecessorId: string | null;
}

/** The chunk's cards not yet finished, in the batch's order, with their holders. */
export async function findPendingCardsOfChunk(
  db: Db,
  batchId: string,
  chunk: number,
): Promise<PendingCard[]> {
  const rows = await db
    .selectFrom("batch_items as i")
    .innerJoin("cards as c", "c.id", "i.card_id")
    .innerJoin("users as u", "u.id", "c.user_id")
    .select([
      "c.id",
      "c.card_number",
      "c.template",
      "c.user_id",
      "c.predecessor_id",
      "u.first_name",
      "u.last_name",
      "u.email",
      "u.identifier",
      "u.organization",
      "u.organizational_unit",
      "u.title",
      "u.upn",
      "u.sid",
      "u.name_on_card",
      "u.address",
      "u.photo",
    ])
    .where("i.batch_id", "=", batchId)
    .where("i.chunk", "=", chunk)
    .where("i.state", "=", "pending")
    .orderBy("i.seq")
    .execute();
  return rows.map((r) => ({
    cardId: r.id,
    cardNumber: r.card_number,
    template: r.template,
    userId: r.user_id,
    holder: {
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      identifier: r.identifier,
      organization: r.organization,
      organizationalUnit: r.organizational_unit,
      title: r.title,
      upn: r.upn,
      sid: r.sid,
      nameOnCard: r.name_on_card,
      addressLines: r.address ? (JSON.parse(r.address) as string[]) : [],
    },
    photo: r.photo ? new Uint8Array(r.photo) : null,
    predecessorId: r.predecessor_id,
  }));
}

/** A card's outcome in its batch. */
export interface FinishedItem {
  readonly cardId: string;
  readonly state: "done" | "failed" | "released";
  readonly code?: ErrorCode;
  readonly reason?: string;
  readonly ms?: number;
}

// Made once, not per call: see `card-transitions.ts`'s columns.
const itemCardId = (item: FinishedItem) => item.cardId;
const finishedColumns: readonly RowColumn<FinishedItem>[] = [
  { column: "state", type: "text", value: (item) => item.state },
  { column: "code", type: "text", value: (item) => item.code ?? null },
  { column: "reason", type: "text", value: (item) => item.reason ?? null },
  { column: "ms", type: "integer", value: (item) => item.ms ?? null },
];

export async function finishItems(
  db: Db,
  batchId: string,
  items: readonly FinishedItem[],
  at: string,
): Promise<void> {
  await updateRows(db, {
    table: "batch_items",
    keyColumn: "card_id",
    key: itemCardId,
    columns: finishedColumns,
    alike: [sql`updated_at = ${at}`],
    match: [{ column: "batch_id", value: batchId }],
    rows: items,
  });
}

/** The worker milliseconds of each finished card of a batch (0 for one that has none), for the benchmarks. */
export async function findItemTimes(db: Db, batchId: string): Promise<number[]> {
  const rows = await db.selectFrom("batch_items").select("ms").where("batch_id", "=", batchId).execute();
  return rows.map((r) => r.ms ?? 0);
}

/** When each card of a batch was recorded finished (epoch milliseconds, ascending), for the benchmarks. */
export async function findItemFinishTimes(db: Db, batchId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("batch_items")
    .select("updated_at")
    .where("batch_id", "=", batchId)
    .where("state", "in", ["done", "failed"])
    .execute();
  return rows.map((r) => Date.parse(r.updated_at)).sort((a, b) => a - b);
}

/**
 * How many cards of a batch were recorded done and failed at each instant, in time order: a chunk
 * records its cards together, so there are about as many instants as chunks. The batch page's
 * throughput picture slices these (domain/pictures.ts).
 */
export async function countFinishedItemsByInstant(
  db: Db,
  batchId: string,
): Promise<{ at: string; done: number; failed: number }[]> {
  const rows = await db
    .selectFrom("batch_items")
    .select(["updated_at", "state"])
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .where("batch_id", "=", batchId)
    .where("state", "in", ["done", "failed"])
    .groupBy(["updated_at", "state"])
    .orderBy("updated_at")
    .execute();
  const byInstant = new Map<string, { at: string; done: number; failed: number }>();
  for (const row of rows) {
    const entry = byInstant.get(row.updated_at) ?? { at: row.updated_at, done: 0, failed: 0 };
    if (row.state === "done") entry.done += Number(row.count);
    else entry.failed += Number(row.count);
    byInstant.set(row.updated_at, entry);
  }
  return [...byInstant.values()];
}
