import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import type { Db } from "./database.js";
import { migrations } from "./migrations/index.js";
import { searchUsers } from "./users.js";

/**
 * Migration 018 on a database that already holds users: their names are indexed as they are,
 * so a holder registered before the upgrade is found by a word inside the last name at once.
 */
describe.each(dialects)("migration 018 on a database with earlier users on %s", (dialect) => {
  let database: TestDatabase;
  let db: Kysely<unknown>;
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it("indexes the names of the users made before it", async () => {
    database = await createTestDatabase(dialect);
    db =
      database.settings.kind === "sqlite"
        ? new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }) })
        : new Kysely({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.settings.url }) }),
          });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) } });
    const names = Object.keys(migrations(dialect));
    const step = "018-name-search";
    expect((await migrator.migrateTo(names[names.indexOf(step) - 1]!)).error).toBeUndefined();

    const at = "2026-01-01T00:00:00.000Z";
    for (const [id, first, last, onCard] of [
      ["u1", "Anna", "Maria-Magdalena Svensson", null],
      ["u2", "Zoë", "Núñez", "Zoe N."],
    ])
      await sql`insert into users (id, identifier, first_name, last_name, name_on_card, email, state, search_name, created_by, created_at, updated_at)
                values (${id}, ${id}, ${first}, ${last}, ${onCard}, ${`${id}@example.org`}, 'active', ${`${last} ${first}`.toLowerCase()}, 'admin', ${at}, ${at})`.execute(
        db,
      );

    expect((await migrator.migrateTo(step)).error).toBeUndefined();
    const found = async (q: string) =>
      (await searchUsers(db as unknown as Db, { q }, { limit: 10 })).items.map((u) => u.id);
    expect(await found("magdalena")).toEqual(["u1"]);
    expect(await found("nunez zoe")).toEqual(["u2"]);
    expect(await found("n")).toEqual(["u2"]);
  });
});
