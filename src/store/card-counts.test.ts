import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { transitionCards, transitionEachCard } from "./card-transitions.js";
import type { Db } from "./database.js";

const at = "2026-01-01T00:00:00.000Z";

/** The counts the triggers keep, against the cards counted: each change below must leave them equal. */
async function countsAndCards(db: Db) {
  const kept = await db
    .selectFrom("card_counts")
    .select(["state", "template", "n"])
    .where("n", "<>", 0)
    .orderBy("state")
    .orderBy("template")
    .execute();
  const counted = await db
    .selectFrom("cards")
    .select((eb) => ["state", "template", eb.fn.countAll<number>().as("n")])
    .groupBy(["state", "template"])
    .orderBy("state")
    .orderBy("template")
    .execute();
  return {
    kept: kept.map((row) => ({ ...row, n: Number(row.n) })),
    counted: counted.map((row) => ({ ...row, n: Number(row.n) })),
  };
}

describe.each(dialects)("the card counts on %s", (dialect) => {
  const suite = storeForSuite(dialect, (db) =>
    insertHolderWithCards(db, { userId: "u1", count: 30, numberFrom: 5000, at }),
  );
  const expectCountsFollow = async () => {
    const { kept, counted } = await countsAndCards(suite.db);
    expect(kept).toEqual(counted);
  };

  it("follows inserts, changes of many cards at once, of each its own way, and deletes", async () => {
    await expectCountsFollow();
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `c${from + i}`);
    expect(await transitionCards(suite.db, { ids: ids(0, 10), from: "approved", to: "issued", at })).toBe(10);
    await expectCountsFollow();
    // Cards moved to three states at once (two statements, by the columns they change), and one
    // left where it is (not approved).
    expect(
      await transitionEachCard(suite.db, {
        from: "approved",
        at,
        cards: [
          ...ids(10, 5).map((id) => ({ id, to: "issued" as const, changes: {} })),
          ...ids(15, 3).map((id) => ({ id, to: "failed" as const, changes: { reason: "broken" } })),
          { id: "c20", to: "aborted" as const, changes: {} },
          { id: "c0", to: "failed" as const, changes: {} },
        ],
      }),
    ).toBe(9);
    await expectCountsFollow();
    // A change that moves no card between counts, and one of the template alone.
    await suite.db.updateTable("cards").set({ reason: "noted" }).where("id", "in", ids(21, 5)).execute();
    await suite.db
      .updateTable("cards")
      .set({ template: "Contractor badge" })
      .where("id", "in", ids(26, 2))
      .execute();
    await expectCountsFollow();
    await suite.db.deleteFrom("cards").where("id", "in", ["c27", "c28", "c1"]).execute();
    await expectCountsFollow();
    expect((await countsAndCards(suite.db)).kept).toEqual([
      { state: "aborted", template: "Employee ID", n: 1 },
      { state: "approved", template: "Contractor badge", n: 1 },
      { state: "approved", template: "Employee ID", n: 8 },
      { state: "failed", template: "Employee ID", n: 3 },
      { state: "issued", template: "Employee ID", n: 14 },
    ]);
  });
});
