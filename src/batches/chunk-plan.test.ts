import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../processes/registry.js";
import { listBatchParts } from "../store/batch-parts.js";
import { findBatch } from "../store/batches.js";
import { appWithManyApprovedCards } from "../test-support/approved-cards.js";
import { dialects } from "../test-support/databases.js";

describe.each(dialects)("a batch whose chunks are larger than its end needs, on %s", (dialect) => {
  // Chunks of 60 on two threads (four chunks in flight): 130 cards are 50, then 40 and 40, the
  // last 80 halved rather than leave 30 alone.
  let setup: Awaited<ReturnType<typeof appWithManyApprovedCards>>;
  beforeAll(async () => {
    setup = await appWithManyApprovedCards(dialect, { count: 130, prefix: "PLAN", chunkSize: 60 });
  }, 60_000);
  afterAll(() => setup?.t.close());

  it("is cut finer at its end, each chunk produced with its own parts", async () => {
    const { t, actor, cardIds } = setup;
    const { result } = await runProcess(t.app.services, actor, "CardsBoProcIssueMultiple", { cardIds });
    const { batchId } = result as { batchId: string };
    const { db } = t.app.services.store;
    const chunks = await db
      .selectFrom("batch_items")
      .select(["chunk", sql<number>`count(*)`.as("cards"), sql<number>`min(seq)`.as("first")])
      .where("batch_id", "=", batchId)
      .groupBy("chunk")
      .orderBy("chunk")
      .execute();
    expect(chunks.map((c) => [Number(c.chunk), Number(c.cards), Number(c.first)])).toEqual([
      [1, 50, 1],
      [2, 40, 51],
      [3, 40, 91],
    ]);
    t.app.runner.start();
    await t.app.runner.idle();
    expect(await findBatch(db, batchId)).toMatchObject({ chunks: 3, total: 130, done: 130, failed: 0 });
    for (const kind of ["print", "pinLetters"] as const)
      expect((await listBatchParts(db, batchId, kind)).map((part) => part.chunk)).toEqual([1, 2, 3]);
  }, 120_000);
});
