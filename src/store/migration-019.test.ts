import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import {
  databaseBeforeMigration,
  insertOldTemplate,
  insertOldUser,
} from "../test-support/migration-upgrade.js";
import { searchCards } from "./cards.js";
import type { Db } from "./database.js";
import { searchUsers, updateUser } from "./users.js";

/**
 * Migration 019 on a database that already holds users and cards: the holders are found by
 * their names as before (on PostgreSQL from the new table of words, filled from 018's), cards
 * keep everything but the unread `holder_key`, and a rename after the upgrade is followed.
 */
describe.each(dialects)("migration 019 on a database with earlier users and cards on %s", (dialect) => {
  const openBeforeMigration = databaseBeforeMigration(dialect, "019-search-leftovers");

  it("keeps the cards and finds their holders by name", async () => {
    const { db, migrate } = await openBeforeMigration();
    const at = "2026-01-01T00:00:00.000Z";
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
    const store = db as unknown as Db;
    const userIds = async (q: string) =>
      (await searchUsers(store, { q }, { limit: 10 })).items.map((u) => u.id);
    expect(await userIds("magdalena")).toEqual(["u1"]);
    expect(await userIds("nunez zoe")).toEqual(["u2"]);
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
    expect(await userIds("nunez")).toEqual([]);
    expect(await userIds("ek zoe")).toEqual(["u2"]);
  });
});
