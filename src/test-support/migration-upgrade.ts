import SqliteDatabase from "better-sqlite3";
import { Kysely, type MigrationResultSet, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, describe, it } from "vitest";
import type { Db, Dialect } from "../store/database.js";
import { migrations } from "../store/migrations/index.js";
import { searchUsers } from "../store/users.js";
import { createTestDatabase, dialects, type TestDatabase } from "./databases.js";

/** A database deployed before one migration, and that migration still to run on it. */
export interface DatabaseBeforeMigration {
  /** Untyped: its tables have the shape they had before the migration. */
  db: Kysely<unknown>;
  /** The same database as the store's code takes it, for once the migration has run. */
  store: Db;
  /** When the old rows were written: one instant for every upgrade test. */
  at: string;
  /** Runs the migration (and none after it). */
  migrate(): Promise<void>;
  /** Runs the migrations after it, up to the latest. */
  migrateRest(): Promise<void>;
}

/**
 * An upgrade test of the migration `step` on each dialect, in a suite titled "migration NNN on a
 * database with `holding` on DIALECT": `test` gets a fresh database migrated up to just before
 * `step`, writes rows of the old shape and then calls `migrate`. The database is dropped after
 * the suite.
 */
export function describeUpgrade(
  step: string,
  holding: string,
  title: string,
  test: (before: DatabaseBeforeMigration, dialect: Dialect) => Promise<void>,
): void {
  describe.each(dialects)(`migration ${step.slice(0, 3)} on a database with ${holding} on %s`, (dialect) => {
    const openBeforeMigration = databaseBeforeMigration(dialect, step);
    it(title, async () => test(await openBeforeMigration(), dialect));
  });
}

/**
 * Call inside a `describe`: the function it returns builds a fresh database migrated up to just
 * before `step`, dropped after the suite.
 */
function databaseBeforeMigration(dialect: Dialect, step: string): () => Promise<DatabaseBeforeMigration> {
  let database: TestDatabase | undefined;
  let db: Kysely<unknown> | undefined;
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });
  return async () => {
    database = await createTestDatabase(dialect);
    const opened =
      database.settings.kind === "sqlite"
        ? new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }) })
        : new Kysely({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.settings.url }) }),
          });
    db = opened;
    const migrator = new Migrator({
      db: opened,
      provider: { getMigrations: async () => migrations(dialect) },
    });
    const check = ({ error }: MigrationResultSet) => {
      if (error) throw error;
    };
    const names = Object.keys(migrations(dialect));
    if (!names.includes(step)) throw new Error(`no migration is named ${step}`);
    check(await migrator.migrateTo(names[names.indexOf(step) - 1]!));
    return {
      db: opened,
      store: opened as unknown as Db,
      at: "2026-01-01T00:00:00.000Z",
      migrate: async () => check(await migrator.migrateTo(step)),
      migrateRest: async () => check(await migrator.migrateToLatest()),
    };
  };
}

/*
 * Rows as a deployment of the first migrations wrote them, for an upgrade test to write before
 * `migrate`: only the columns every later shape still has, the rest left to their defaults.
 */

/** Inserts the Employee ID template (its definition empty: no upgrade reads it). */
export async function insertOldTemplate(db: Kysely<unknown>, at: string): Promise<void> {
  await sql`insert into card_templates (name, definition, updated_at) values ('Employee ID', '{}', ${at})`.execute(
    db,
  );
}

/** Inserts an active user; the identifier and e-mail address are made from `id` unless given. */
export async function insertOldUser(
  db: Kysely<unknown>,
  user: { id: string; firstName: string; lastName: string; identifier?: string; email?: string },
  at: string,
): Promise<void> {
  const { id, firstName, lastName, identifier = id, email = `${id}@example.org` } = user;
  const searchName = `${lastName} ${firstName}`.toLowerCase();
  await sql`insert into users (id, identifier, first_name, last_name, email, state, search_name, created_by, created_at, updated_at)
            values (${id}, ${identifier}, ${firstName}, ${lastName}, ${email}, 'active', ${searchName}, 'admin', ${at}, ${at})`.execute(
    db,
  );
}

/** Inserts a completed batch of `process`, made at `createdAt`, of `total` cards in one chunk. */
export async function insertOldBatch(
  db: Kysely<unknown>,
  batch: { id: string; process: string; createdAt: string; total: number },
): Promise<void> {
  const { id, process, createdAt, total } = batch;
  await sql`insert into batches (id, process, state, options, created_by, created_by_name, created_at, updated_at, total, chunks)
            values (${id}, ${process}, 'completed', '{}', 'admin', 'admin', ${createdAt}, ${createdAt}, ${total}, 1)`.execute(
    db,
  );
}

/** The ids of the users a name search for `q` finds on the upgraded database, in its order. */
export async function findUserIds(store: Db, q: string): Promise<string[]> {
  return (await searchUsers(store, { q }, { limit: 10 })).items.map((u) => u.id);
}
