import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { inList } from "./in-list.js";

const at = "2026-01-01T00:00:00.000Z";

describe.each(dialects)("a list of values in one statement, on %s", (dialect) => {
  const suite = storeForSuite(dialect, (db) =>
    insertHolderWithCards(db, { userId: "u1", count: 5, numberFrom: 10_000, at }),
  );
  const idsIn = async (values: string[]) =>
    (
      await suite.db
        .selectFrom("cards")
        .select("id")
        .where(inList(dialect, "id", values))
        .orderBy("id")
        .execute()
    ).map((row) => row.id);

  it("matches the rows whose column is one of the values, and no others", async () => {
    expect(await idsIn(["c3", "c1", "c1", "nope"])).toEqual(["c1", "c3"]);
    expect(await idsIn([])).toEqual([]);
  });

  it("takes values as data: quotes, backslashes and brackets match nothing and break nothing", async () => {
    expect(await idsIn(["c1' or '1'='1", 'c2"]', "c3\\", "{c4}", "c0"])).toEqual(["c0"]);
  });

  it("takes more values than SQLite binds parameters in one statement", async () => {
    const many = Array.from({ length: 40_000 }, (_, i) => `x${i}`);
    expect(await idsIn([...many, "c2"])).toEqual(["c2"]);
  });
});
