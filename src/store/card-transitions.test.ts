import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { planNodes, postgresPlans } from "../test-support/postgres-plans.js";
import { postgresReads } from "../test-support/postgres-reads.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { releaseCards } from "./batches.js";
import { transitionCards, transitionEachCard } from "./card-transitions.js";
import { findCardById } from "./cards.js";
import type { Db } from "./database.js";

const at = "2026-01-01T00:00:00.000Z";

describe.each(dialects)("card state changes on %s", (dialect) => {
  const suite = storeForSuite(dialect, async (db) => {
    // c1–c7 (numbers 1000–1006) approved but c3, requested.
    await insertHolderWithCards(db, { userId: "u1", count: 8, numberFrom: 999, at });
    await db.updateTable("cards").set({ state: "requested" }).where("id", "=", "c3").execute();
  });

  it("refuses a change the state model does not hold, before writing anything", async () => {
    await expect(
      transitionCards(suite.db, { ids: ["c1"], from: "approved", to: "locked", at }),
    ).rejects.toThrow("cannot go from approved to locked");
    await expect(
      transitionCards(suite.db, { ids: ["c1"], from: ["approved", "requested"], to: "issued", at }),
    ).rejects.toThrow("cannot go from requested to issued");
    expect((await findCardById(suite.db, "c1"))?.state).toBe("approved");
  });

  it("changes only the cards still in a state it may leave, and counts them", async () => {
    const changed = await transitionCards(suite.db, {
      ids: ["c1", "c2", "c3"],
      from: "approved",
      to: "failed",
      at: "2026-01-02T00:00:00.000Z",
      changes: { reason: "broken chip" },
    });
    expect(changed).toBe(2);
    const c1 = await findCardById(suite.db, "c1");
    expect(c1).toMatchObject({ state: "failed", reason: "broken chip", version: 2 });
    expect((await findCardById(suite.db, "c3"))?.state).toBe("requested");
  });

  it("keeps optimistic concurrency: a stale version changes nothing", async () => {
    expect(
      await transitionCards(suite.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 7 }),
    ).toBe(0);
    expect(
      await transitionCards(suite.db, { ids: ["c3"], from: "requested", to: "approved", at, version: 1 }),
    ).toBe(1);
  });

  it("changes each card of a chunk in its own way, only those the batch still holds", async () => {
    // c4–c6 are held by batch b1; c7 by another batch.
    const holdBy = (batchId: string, ids: string[]) =>
      suite.db.updateTable("cards").set({ batch_id: batchId }).where("id", "in", ids).execute();
    await holdBy("b1", ["c4", "c5", "c6"]);
    await holdBy("b2", ["c7"]);
    const later = "2026-01-03T00:00:00.000Z";
    const issued = (id: string, puk: string, expiresAt: string) => ({
      id,
      to: "issued" as const,
      changes: { batchId: null, issuedAt: later, expiresAt, pukEncrypted: puk, reason: null },
    });
    await expect(
      transitionEachCard(suite.db, {
        from: "approved",
        at: later,
        heldBy: "b1",
        cards: [issued("c4", "puk-4", "2030-01-04"), { id: "c5", to: "locked", changes: {} }],
      }),
    ).rejects.toThrow("cannot go from approved to locked");
    expect((await findCardById(suite.db, "c4"))?.state).toBe("approved");

    const changed = await transitionEachCard(suite.db, {
      from: "approved",
      at: later,
      heldBy: "b1",
      cards: [
        issued("c4", "puk-4", "2030-01-04"),
        { id: "c5", to: "failed", changes: { batchId: null, reason: "photo unreadable" } },
        issued("c6", "puk-6", "2030-01-06"),
        issued("c7", "puk-7", "2030-01-07"),
      ],
    });
    expect(changed).toBe(3);
    expect(await findCardById(suite.db, "c4")).toMatchObject({
      state: "issued",
      batchId: null,
      issuedAt: later,
      expiresAt: "2030-01-04",
      version: 2,
      updatedAt: later,
    });
    expect(await findCardById(suite.db, "c6")).toMatchObject({ state: "issued", expiresAt: "2030-01-06" });
    expect(await findCardById(suite.db, "c5")).toMatchObject({
      state: "failed",
      reason: "photo unreadable",
      batchId: null,
      issuedAt: null,
    });
    expect(await findCardById(suite.db, "c7")).toMatchObject({
      state: "approved",
      batchId: "b2",
      version: 1,
    });
    const puks = await suite.db
      .selectFrom("cards")
      .select(["id", "puk_encrypted"])
      .where("id", "in", ["c4", "c5", "c6", "c7"])
      .orderBy("id")
      .execute();
    expect(puks.map((row) => row.puk_encrypted)).toEqual(["puk-4", null, "puk-6", null]);
  });
});

/**
 * A chunk's cards are looked up by their ids, whatever the planner believes of the batch: a
 * batch made since the last ANALYZE holds, by the statistics, no card at all, and PostgreSQL once
 * answered a chunk's update by reading every card of the batch (a hash of the batch's cards,
 * from both the batch and the state index) — each of a 100,000-card batch's 2,000 chunks read
 * 100,000 cards.
 */
describe.runIf(dialects.includes("postgres"))("a chunk's card changes on PostgreSQL", () => {
  const batchCards = 10_000;
  const suite = storeForSuite("postgres", async (db) => {
    await insertHolderWithCards(db, { userId: "u1", count: 2 * batchCards, numberFrom: 10_000, at });
    // The statistics are taken now and kept: autovacuum would otherwise take them again.
    await sql`alter table cards set (autovacuum_enabled = false)`.execute(db);
    await sql`analyze cards`.execute(db);
    // Ordered after the statistics were taken, as a batch is.
    await db
      .updateTable("cards")
      .set({ batch_id: "big" })
      .where("card_number", "<", `${10_000 + batchCards}`)
      .execute();
    // Without the cards' versions from before the batch, each card is one index entry.
    await sql`vacuum cards`.execute(db);
  });

  /** The cards `work` reads, by a scan of the table or of each index, in its transaction. */
  const cardReads = (work: (trx: Db) => Promise<void>) => postgresReads(suite.db, "cards", work);
  /** 50 cards of the batch, every 7th from `first`: the cases below take cards of their own. */
  const chunk = (first: number) => Array.from({ length: 50 }, (_, i) => `c${first + i * 7}`);

  it("records a chunk's cards by their ids, not by the whole batch", async () => {
    const read = await cardReads(async (trx) => {
      const changed = await transitionEachCard(trx, {
        from: "approved",
        at,
        heldBy: "big",
        cards: chunk(0).map((id) => ({
          id,
          to: "issued" as const,
          changes: { batchId: null, issuedAt: at },
        })),
      });
      expect(changed).toBe(50);
    });
    expect(read).toEqual({ cards_pkey: 50 });
  });

  it("fails, gives back and lets go of a chunk's cards by their ids, not by the whole batch", async () => {
    const failed = await cardReads(async (trx) => {
      const changed = await transitionCards(trx, {
        ids: chunk(1),
        from: "approved",
        to: "failed",
        at,
        heldBy: "big",
        changes: { batchId: null, reason: "production failed" },
      });
      expect(changed).toBe(50);
    });
    expect(failed).toEqual({ cards_pkey: 50 });
    const released = await cardReads((trx) => releaseCards(trx, "big", chunk(2), { in: ["approved"], at }));
    expect(released).toEqual({ cards_pkey: 50 });
    const activated = await cardReads((trx) => releaseCards(trx, "big", chunk(3)));
    expect(activated).toEqual({ cards_pkey: 50 });
    const free = await suite.db
      .selectFrom("cards")
      .select("id")
      .where("id", "in", chunk(2))
      .where("batch_id", "is", null);
    expect(await free.execute()).toHaveLength(50);
  });
});

/**
 * A chunk's list of changes is read once, on a cards table never analyzed too, as a new office's
 * first batches find it (autovacuum takes its statistics a minute or more later): PostgreSQL,
 * believing the batch's cards one row, once read the whole table and, for each card, the
 * chunk's whole list again. `bench workers` spent 19 ms a chunk of 50 on it, at 2,000 cards.
 */
describe.runIf(dialects.includes("postgres"))("a chunk's card changes on a table never analyzed", () => {
  const suite = storeForSuite("postgres", async (db) => {
    await sql`alter table cards set (autovacuum_enabled = false)`.execute(db);
    await insertHolderWithCards(db, { userId: "u1", count: 2_000, numberFrom: 10_000, at });
    await db.updateTable("cards").set({ batch_id: "big" }).execute();
  });

  it("reads the chunk's list once", async () => {
    const chunk = Array.from({ length: 50 }, (_, i) => `c${i * 7}`);
    const plans = await postgresPlans(suite.db, async (trx) => {
      const changed = await transitionEachCard(trx, {
        from: "approved",
        at,
        heldBy: "big",
        cards: chunk.map((id) => ({ id, to: "issued" as const, changes: { batchId: null, issuedAt: at } })),
      });
      expect(changed).toBe(50);
    });
    const nodes = plans.flatMap(planNodes);
    // The list comes as arrays (`update-rows.ts`), which PostgreSQL reads by a function scan.
    const lists = nodes.filter((node) => node["Node Type"] === "Function Scan");
    expect(lists.map((node) => [node["Actual Rows"], node["Actual Loops"]])).toEqual([[50, 1]]);
    // Whatever the plan's shape (a materialized list is read once, yet compared as often).
    // EXPLAIN gives the rows a join's filter removed as an average per loop.
    const compared = nodes.reduce(
      (sum, node) => sum + (node["Rows Removed by Join Filter"] ?? 0) * node["Actual Loops"],
      0,
    );
    expect(compared).toBeLessThanOrEqual(50);
  });
});
