import { sql } from "kysely";
import { expect } from "vitest";
import {
  describeUpgrade,
  findUserIds,
  insertOldTemplate,
  insertOldUser,
} from "../test-support/migration-upgrade.js";
import { searchCards } from "./cards.js";
import { countedNameMatches } from "./name-search.js";
import { searchUsers, updateUser } from "./users.js";

/**
 * Migration 019 on a database that already holds users and cards: the holders are found by
 * their names as before (on PostgreSQL from the new table of words, filled from 018's), cards
 * keep everything but the unread `holder_key`, and a rename after the upgrade is followed.
 */
describeUpgrade(
  "019-search-leftovers",
  "earlier users and cards",
  "keeps the cards and finds their holders by name",
  async ({ db, store, migrate, at }, dialect) => {
    await insertOldTemplate(db, at);
    for (const [i, [id, first, last]] of [
      ["u1", "Anna", "Maria-Magdalena Svensson"],
      ["u2", "Zoë", "Núñez"],
    ].entries()) {
      await insertOldUser(db, { id: id!, firstName: first!, lastName: last! }, at);
      await sql`insert into cards (id, card_number, user_id, template, state, holder_name, holder_key, version, requested_by, requested_at, updated_at)
                values (${`c${id}`}, ${`900${i}`}, ${id}, 'Employee ID', 'requested', ${`${first} ${last}`}, ${`${last} ${first}`.toLowerCase()}, 1, 'admin', ${at}, ${at})`.execute(
        db,
      );
    }

    await migrate();
    expect(await findUserIds(store, "magdalena")).toEqual(["u1"]);
    expect(await findUserIds(store, "nunez zoe")).toEqual(["u2"]);
    const cards = await searchCards(store, { q: "svens anna" }, { limit: 10 });
    expect(cards.items.map((c) => [c.id, c.cardNumber, c.holderName, c.state])).toEqual([
      ["cu1", "9000", "Anna Maria-Magdalena Svensson", "requested"],
    ]);
    expect(cards.total).toBe(1);
    const columns = await sql<{ name: string }>`${
      dialect === "sqlite"
        ? sql`select name from pragma_table_info('cards')`
        : sql`select column_name as name from information_schema.columns where table_name = 'cards'`
    }`.execute(db);
    expect(columns.rows.map((c) => c.name)).not.toContain("holder_key");

    // The words follow a rename made after the upgrade.
    expect(await updateUser(store, "u2", 1, { name: { firstName: "Zoë", lastName: "Ek" } }, at)).toBe(true);
    expect(await findUserIds(store, "nunez")).toEqual([]);
    expect(await findUserIds(store, "ek zoe")).toEqual(["u2"]);
  },
);

/**
 * Migration 020 on a database that already holds users and cards: the holders are still found
 * by their names, by long and short word starts alike and past the count's cap (on SQLite from
 * the FTS5 table made again with its prefix index; on PostgreSQL from the words now carrying
 * their user's sort name, in name order), and a rename after the upgrade is followed.
 */
describeUpgrade(
  "020-search-in-order",
  "earlier users and cards",
  "keeps finding the holders by name, in name order, and follows a rename",
  async ({ db, store, migrate, at }) => {
    await insertOldTemplate(db, at);
    await insertOldUser(db, { id: "anna", firstName: "Anna", lastName: "Maria-Magdalena Svensson" }, at);
    // More holders of one word start than a search counts, named so that id order and name order differ.
    const many = countedNameMatches + 1;
    for (let i = 0; i < many; i++)
      await insertOldUser(
        db,
        { id: `u${String(many - i).padStart(4, "0")}`, firstName: "Bo", lastName: `Berg${i}` },
        at,
      );
    await sql`insert into cards (id, card_number, user_id, template, state, holder_name, version, requested_by, requested_at, updated_at)
              values ('card-anna', '9000', 'anna', 'Employee ID', 'requested', 'Anna Maria-Magdalena Svensson', 1, 'admin', ${at}, ${at})`.execute(
      db,
    );

    await migrate();
    expect(await findUserIds(store, "magd")).toEqual(["anna"]);
    expect(await findUserIds(store, "sv an")).toEqual(["anna"]);
    expect((await searchCards(store, { q: "svens anna" }, { limit: 10 })).items.map((c) => c.id)).toEqual([
      "card-anna",
    ]);
    // "berg0 bo", "berg1 bo", "berg10 bo", …: the sort name's text order, past the count's cap.
    const byName = Array.from({ length: many }, (_, i) => [
      `berg${i} bo`,
      `u${String(many - i).padStart(4, "0")}`,
    ])
      .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
      .map(([, id]) => id);
    for (const q of ["berg", "b"]) {
      const page = await searchUsers(store, { q }, { limit: 5 });
      expect([page.total, page.totalIsLowerBound]).toEqual([countedNameMatches, true]);
      expect(page.items.map((u) => u.id)).toEqual(byName.slice(0, 5));
    }

    // The words follow a rename made after the upgrade, and so does the order they give.
    expect(await updateUser(store, "anna", 1, { name: { firstName: "Anna", lastName: "Bera" } }, at)).toBe(
      true,
    );
    expect(await findUserIds(store, "magd")).toEqual([]);
    // "bera anna" comes before every "berg… bo" in any collation.
    expect((await searchUsers(store, { q: "ber" }, { limit: 2 })).items.map((u) => u.id)).toEqual([
      "anna",
      byName[0],
    ]);
  },
);
