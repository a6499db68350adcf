import { sql } from "kysely";
import { expect } from "vitest";
import {
  describeUpgrade,
  findUserIds,
  insertOldTemplate,
  insertOldUser,
} from "../test-support/migration-upgrade.js";
import { searchCards } from "./cards.js";
import { updateUser } from "./users.js";

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
