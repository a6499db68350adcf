import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import type { Db } from "./database.js";
import { updateRows } from "./update-rows.js";

/** 600 approved cards, c0 to c599, reason null and version 1. */
const sixHundredCards = (db: Db) =>
  insertHolderWithCards(db, { userId: "u1", count: 600, numberFrom: 10_000, at: "2026-01-01T00:00:00.000Z" });

describe.each(dialects)("many rows updated in one statement, on %s", (dialect) => {
  const suite = storeForSuite(dialect, sixHundredCards);
  const reasonsAndVersions = async (ids: string[]) => {
    const rows = await suite.db
      .selectFrom("cards")
      .select(["id", "reason", "version"])
      .where("id", "in", ids)
      .orderBy("id")
      .execute();
    return rows.map((row) => [row.id, row.reason, row.version]);
  };

  it("gives each row its own values, taken as data whatever their characters", async () => {
    const reasons = ['a "quoted" word', "a back\\slash", "{braces, and a comma}", "NULL", "", null, "ü → ✓"];
    const rows = reasons.map((reason, i) => ({ id: `c${i}`, reason, version: 10 + i }));
    const changed = await updateRows(suite.db, {
      table: "cards",
      keyColumn: "id",
      key: (row) => row.id,
      columns: [
        { column: "reason", type: "text", value: (row) => row.reason },
        { column: "version", type: "integer", value: (row) => row.version },
      ],
      rows,
    });
    expect(changed).toBe(reasons.length);
    expect(await reasonsAndVersions(rows.map((row) => row.id))).toEqual(
      rows.map((row) => [row.id, row.reason, row.version]),
    );
    // The card after them was left as it was.
    expect(await reasonsAndVersions([`c${reasons.length}`])).toEqual([[`c${reasons.length}`, null, 1]]);
  });

  it("changes only the rows that also hold the values to match, in slices of 500", async () => {
    await suite.db.updateTable("cards").set({ batch_id: "b1" }).where("id", "<", "c3").execute();
    const rows = Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, reason: `r${i}` }));
    const changed = await updateRows(suite.db, {
      table: "cards",
      keyColumn: "id",
      key: (row) => row.id,
      columns: [{ column: "reason", type: "text", value: (row) => row.reason }],
      match: [{ column: "batch_id", value: "b1" }],
      rows,
    });
    const held = (await suite.db.selectFrom("cards").select("id").where("batch_id", "=", "b1").execute()).map(
      (row) => row.id,
    );
    // The ids that sort before "c3": c0, c1, c2, c10 to c29 and c100 to c299. Only they changed.
    expect(held).toHaveLength(223);
    expect(changed).toBe(held.length);
    const marked = await suite.db
      .selectFrom("cards")
      .select(["id", "reason"])
      .where("reason", "like", "r%")
      .execute();
    expect(marked.map((row) => row.id).sort()).toEqual([...held].sort());
    expect(marked.every((row) => row.reason === `r${row.id.slice(1)}`)).toBe(true);
  });
});
