import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { newCard, storeForSuite } from "../test-support/store.js";
import { newUser } from "../test-support/users.js";
import { insertCards, searchCards } from "./cards.js";
import { reserveSequence } from "./sequences.js";
import { insertUser, searchUsers } from "./users.js";

describe.each(dialects)("search and sequences on %s", (dialect) => {
  const names = ["Berg Anna", "berg Bo", "Carlsson Cia", "Dahl Dan", "Ek Eva", "Bergström Fia", "Holm Gun"];

  const suite = storeForSuite(dialect, async (db) => {
    for (const [i, name] of names.entries()) {
      const [lastName, firstName] = name.split(" ") as [string, string];
      await insertUser(
        db,
        newUser({
          id: `u${i}`,
          identifier: `ID${i}`,
          firstName,
          lastName,
          email: `${firstName}@example.org`,
          organizationalUnit: i % 2 ? "IT" : "HR",
        }),
        "2026-01-01T00:00:00.000Z",
      );
    }
    // 30 cards over the users, in two states and two templates, requested at distinct times,
    // with two cards sharing one time so the id breaks the tie.
    for (let i = 0; i < 30; i++) {
      const [lastName, firstName] = names[i % names.length]!.split(" ") as [string, string];
      await insertCards(
        db,
        [
          newCard({
            id: `c${String(i).padStart(2, "0")}`,
            cardNumber: `${1000 + i}`,
            userId: `u${i % names.length}`,
            template: i % 3 === 0 ? "Contractor badge" : "Employee ID",
            state: i % 4 === 0 ? "requested" : "approved",
            holderName: `${firstName} ${lastName}`,
          }),
        ],
        `2026-01-01T00:00:${String(Math.min(i, 28)).padStart(2, "0")}.000Z`,
      );
    }
  });

  it("pages cards by keyset without losing or repeating one, with the total of the filter", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchCards(suite.db, { state: "approved" }, { cursor, limit: 4 });
      expect(page.total).toBe(22);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => i % 4 !== 0)
      .map((i) => `c${String(i).padStart(2, "0")}`);
    expect(seen).toEqual(expected);
  });

  it("pages a state's cards by number both ways, whole, without losing or repeating one", async () => {
    const approved = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 4 !== 0);
    for (const direction of ["asc", "desc"] as const) {
      const seen: { id: string; cardNumber: string; state: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchCards(
          suite.db,
          { state: "approved" },
          { cursor, limit: 4 },
          { by: "cardNumber", direction },
        );
        expect(page.total).toBe(22);
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = approved.map((i) => `${1000 + i}`);
      expect(seen.map((c) => c.cardNumber)).toEqual(direction === "asc" ? expected : expected.reverse());
      expect(new Set(seen.map((c) => c.state))).toEqual(new Set(["approved"]));
    }
  });

  it("filters cards by template, holder-name prefix (any case) and card number", async () => {
    const contractor = await searchCards(
      suite.db,
      { state: "approved", template: "Contractor badge" },
      { limit: 50 },
    );
    expect(contractor.items.every((c) => c.template === "Contractor badge" && c.state === "approved")).toBe(
      true,
    );
    expect(contractor.total).toBe(contractor.items.length);
    const berg = await searchCards(suite.db, { q: "BERG" }, { limit: 50 });
    expect(new Set(berg.items.map((c) => c.userId))).toEqual(new Set(["u0", "u1", "u5"]));
    expect((await searchCards(suite.db, { q: " 1017 " }, { limit: 50 })).items.map((c) => c.id)).toEqual([
      "c17",
    ]);
    expect((await searchCards(suite.db, { q: "10170" }, { limit: 50 })).items).toHaveLength(0);
  });

  it("pages users by name and finds them by prefix, identifier or e-mail", async () => {
    const first = await searchUsers(suite.db, {}, { limit: 3 });
    expect(first.total).toBe(7);
    const rest = await searchUsers(suite.db, {}, { cursor: first.nextCursor!, limit: 10 });
    expect([...first.items, ...rest.items].map((u) => u.lastName)).toEqual([
      "Berg",
      "berg",
      "Bergström",
      "Carlsson",
      "Dahl",
      "Ek",
      "Holm",
    ]);
    expect(rest.nextCursor).toBeNull();
    // Each word starts a word of the name (name-search.test.ts): "b" alone would also start "Berg".
    expect((await searchUsers(suite.db, { q: "berg bo" }, { limit: 10 })).items.map((u) => u.id)).toEqual([
      "u1",
    ]);
    expect((await searchUsers(suite.db, { q: "ID3" }, { limit: 10 })).items.map((u) => u.id)).toEqual(["u3"]);
    expect((await searchUsers(suite.db, { organizationalUnit: "IT" }, { limit: 10 })).total).toBe(3);
  });

  it("keeps the per-state counters equal to a real count through inserts and state changes", async () => {
    await suite.db
      .updateTable("cards")
      .set({ state: "issued" })
      .where("id", "in", ["c01", "c02", "c03"])
      .execute();
    await suite.db
      .updateTable("cards")
      .set({ template: "Contractor badge" })
      .where("id", "=", "c05")
      .execute();
    await suite.db.updateTable("cards").set({ batch_id: "b" }).where("id", "=", "c06").execute();
    for (const state of ["approved", "requested", "issued"] as const)
      for (const template of [undefined, "Employee ID", "Contractor badge"]) {
        let query = suite.db
          .selectFrom("cards")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("state", "=", state);
        if (template) query = query.where("template", "=", template);
        const real = Number((await query.executeTakeFirstOrThrow()).n);
        expect(
          (await searchCards(suite.db, { state, template }, { limit: 1 })).total,
          `${state} ${template}`,
        ).toBe(real);
      }
    expect((await searchCards(suite.db, {}, { limit: 1 })).total).toBe(30);
    await suite.db
      .updateTable("cards")
      .set({ state: "approved", template: "Employee ID", batch_id: null })
      .where("id", "in", ["c01", "c02", "c03", "c05", "c06"])
      .execute();
  });

  it("refuses a damaged cursor with a clear error", async () => {
    await expect(searchCards(suite.db, {}, { cursor: "not-a-cursor", limit: 5 })).rejects.toMatchObject({
      code: "request.invalid_cursor",
    });
  });

  it("hands out disjoint sequence ranges to concurrent callers", async () => {
    const starts = await Promise.all(
      Array.from({ length: 20 }, () =>
        suite.db.transaction().execute((trx) => reserveSequence(trx, "test", 5)),
      ),
    );
    const numbers = starts.flatMap((s) => [s, s + 1, s + 2, s + 3, s + 4]);
    expect(new Set(numbers).size).toBe(100);
    expect(Math.min(...numbers)).toBe(1);
    expect(Math.max(...numbers)).toBe(100);
  });
});
