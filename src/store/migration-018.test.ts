import { Migrator, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { databaseBeforeMigration } from "../test-support/migration-upgrade.js";
import type { Db } from "./database.js";
import { migrations } from "./migrations/index.js";
import { searchUsers } from "./users.js";

/**
 * Migration 018 on a database that already holds users: their names are indexed as they are,
 * so a holder registered before the upgrade is found by a word inside the last name at once.
 */
describe.each(dialects)("migration 018 on a database with earlier users on %s", (dialect) => {
  const openBeforeMigration = databaseBeforeMigration(dialect, "018-name-search");

  it("indexes the names of the users made before it", async () => {
    const { db, migrate } = await openBeforeMigration();

    const at = "2026-01-01T00:00:00.000Z";
    for (const [id, first, last, onCard] of [
      ["u1", "Anna", "Maria-Magdalena Svensson", null],
      ["u2", "Zoë", "Núñez", "Zoe N."],
    ])
      await sql`insert into users (id, identifier, first_name, last_name, name_on_card, email, state, search_name, created_by, created_at, updated_at)
                values (${id}, ${id}, ${first}, ${last}, ${onCard}, ${`${id}@example.org`}, 'active', ${`${last} ${first}`.toLowerCase()}, 'admin', ${at}, ${at})`.execute(
        db,
      );

    await migrate();
    // The words 018 made must reach what searches today: on PostgreSQL, 019's table of words.
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations(dialect) },
    }).migrateToLatest();
    expect(error).toBeUndefined();
    const found = async (q: string) =>
      (await searchUsers(db as unknown as Db, { q }, { limit: 10 })).items.map((u) => u.id);
    expect(await found("magdalena")).toEqual(["u1"]);
    expect(await found("nunez zoe")).toEqual(["u2"]);
    expect(await found("n")).toEqual(["u2"]);
  });
});
