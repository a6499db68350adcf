import { CompiledQuery, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { postgresReads } from "../test-support/postgres-reads.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import {
  findPendingCardsOfChunk,
  findPendingItemsOfChunk,
  insertBatchItems,
  itemsPerStatement,
} from "./batch-items.js";
import { findBatch, inProductionQuery, insertBatch } from "./batches.js";
import type { Db, Dialect } from "./database.js";

const at = "2026-01-01T00:00:00.000Z";
// More than one statement writes (`itemsPerStatement`).
const cards = itemsPerStatement + 100;
const chunkSize = 50;

// What a running batch has in production is asked at every claim and every recorded chunk. It
// once read every pending item of the batch to find those of its few running chunks: the
// planner took the (batch_id, state) index of the throughput picture over the chunk's. A
// 100,000-card batch's 400 chunks then each read up to 100,000 items, twice: the runner's own
// thread spent 0.97 ms a card at 100,000 cards against 0.4 ms at 10,000.

/** A running batch of `cards` items in chunks of `chunkSize`, its chunks 3 and 4 running. */
async function runningBatch(db: Db, dialect: Dialect): Promise<void> {
  await insertHolderWithCards(db, { userId: "u1", count: cards, numberFrom: 10_000, at });
  if (dialect === "postgres") {
    // As a new batch finds them: statistics taken before it, kept from autovacuum.
    await sql`alter table batch_items set (autovacuum_enabled = false)`.execute(db);
    await sql`analyze batch_items`.execute(db);
  }
  await insertBatch(
    db,
    {
      id: "big",
      process: "CardsBoProcActivateMultiple",
      options: {},
      createdBy: "o1",
      createdByName: "production",
      chunks: cards / chunkSize,
      total: cards,
    },
    at,
  );
  const ids = Array.from({ length: cards }, (_, i) => `c${i}`);
  await insertBatchItems(db, dialect, "big", ids, Array(cards / chunkSize).fill(chunkSize), at);
  await db
    .updateTable("batch_chunks")
    .set({ state: "running" })
    .where("batch_id", "=", "big")
    .where("chunk", "in", [3, 4])
    .execute();
}

/** A batch's items as they are stored, in order. */
const itemsOf = (db: Db, batchId: string) =>
  db
    .selectFrom("batch_items")
    .select(["card_id", "seq", "chunk", "state", "code", "reason", "ms", "updated_at"])
    .where("batch_id", "=", batchId)
    .orderBy("seq")
    .execute();

describe.each(dialects)("what a running batch has in production, on %s", (dialect) => {
  const suite = storeForSuite(dialect, (db) => runningBatch(db, dialect));

  it("counts the pending cards of its running chunks", async () => {
    expect((await findBatch(suite.db, "big"))?.inProduction).toBe(2 * chunkSize);
  });

  it("has its items numbered in order across the statements that wrote them, each in its chunk", async () => {
    const items = await itemsOf(suite.db, "big");
    expect(items).toHaveLength(cards);
    expect(items.every((item, i) => item.seq === i + 1 && item.card_id === `c${i}`)).toBe(true);
    expect(items.every((item, i) => item.chunk === Math.floor(i / chunkSize) + 1)).toBe(true);
  });
});

describe("what a running batch has in production, SQLite's plan", () => {
  const suite = storeForSuite("sqlite", (db) => runningBatch(db, "sqlite"));

  it("finds the running chunks' items by their chunk", async () => {
    const query = inProductionQuery(suite.db, ["big"]).compile();
    const plan = await suite.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    const items = plan.rows.map((row) => row.detail).filter((detail) => /\bi\b/.test(detail));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/USING (COVERING )?INDEX \w+ \(batch_id=\? AND chunk=\?/);
  });
});

describe.runIf(dialects.includes("postgres"))("a running batch's chunks, PostgreSQL's reads", () => {
  const suite = storeForSuite("postgres", (db) => runningBatch(db, "postgres"));

  /** How many batch items `work` reads, from the table and its indexes together, in its transaction. */
  const itemReads = async (work: (trx: Db) => Promise<void>) =>
    Object.values(await postgresReads(suite.db, "batch_items", work)).reduce((sum, n) => sum + n, 0);

  it("reads the running chunks' items alone to count what is in production", async () => {
    const read = await itemReads(async (trx) => {
      expect((await findBatch(trx, "big"))?.inProduction).toBe(2 * chunkSize);
    });
    expect(read).toBeLessThanOrEqual(2 * chunkSize);
  });

  it("reads a chunk's items alone to hand out its pending cards", async () => {
    const items = await itemReads(async (trx) => {
      expect(await findPendingItemsOfChunk(trx, "big", 3)).toHaveLength(chunkSize);
    });
    const cardsOfChunk = await itemReads(async (trx) => {
      expect(await findPendingCardsOfChunk(trx, "big", 4)).toHaveLength(chunkSize);
    });
    expect({ items, cardsOfChunk }).toEqual({ items: chunkSize, cardsOfChunk: chunkSize });
  });
});

describe.each(dialects)("a new batch's items on %s", (dialect) => {
  const suite = storeForSuite(dialect, (db) =>
    insertHolderWithCards(db, { userId: "u1", count: 7, numberFrom: 10_000, at }),
  );
  const newBatch = (id: string, total: number) =>
    insertBatch(
      suite.db,
      {
        id,
        process: "CardsBoProcActivateMultiple",
        options: {},
        createdBy: "o1",
        createdByName: "production",
        chunks: 0,
        total,
      },
      at,
    );

  it("are numbered in the operator's order, each in its chunk of the plan", async () => {
    await newBatch("planned", 7);
    const ids = ["c6", "c2", "c5", "c0", "c1", "c4", "c3"];
    const chunkOf = [1, 1, 1, 2, 2, 3, 4];
    expect(await insertBatchItems(suite.db, dialect, "planned", ids, [3, 2, 1, 1], at)).toBe(4);
    expect(await itemsOf(suite.db, "planned")).toEqual(
      ids.map((cardId, i) => ({
        card_id: cardId,
        seq: i + 1,
        chunk: chunkOf[i],
        state: "pending",
        code: null,
        reason: null,
        ms: null,
        updated_at: at,
      })),
    );
    const chunks = await suite.db
      .selectFrom("batch_chunks")
      .select(["chunk", "state", "attempts"])
      .where("batch_id", "=", "planned")
      .orderBy("chunk")
      .execute();
    expect(chunks).toEqual([1, 2, 3, 4].map((chunk) => ({ chunk, state: "pending", attempts: 0 })));
  });

  it("are refused, and none written, when the plan does not hold the batch's cards", async () => {
    await newBatch("misplanned", 3);
    await expect(
      insertBatchItems(suite.db, dialect, "misplanned", ["c0", "c1", "c2"], [2], at),
    ).rejects.toThrow(RangeError);
    await expect(insertBatchItems(suite.db, dialect, "misplanned", ["c0"], [1, 1], at)).rejects.toThrow(
      RangeError,
    );
    for (const sizes of [
      [2, 0],
      [3, -1],
      [1.5, 0.5],
    ])
      await expect(
        insertBatchItems(suite.db, dialect, "misplanned", ["c0", "c1"], sizes, at),
      ).rejects.toThrow(RangeError);
    expect(await itemsOf(suite.db, "misplanned")).toEqual([]);
  });
});
