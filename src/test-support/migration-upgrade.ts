import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterAll } from "vitest";
import type { Dialect } from "../store/database.js";
import { migrations } from "../store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "./databases.js";

/** A database deployed before one migration, and that migration still to run on it. */
export interface DatabaseBeforeMigration {
  /** Untyped: its tables have the shape they had before the migration. */
  db: Kysely<unknown>;
  /** Runs the migration (and none after it). */
  migrate(): Promise<void>;
}

/**
 * For a test of an upgrade: call inside a `describe`; the function it returns builds a fresh
 * database migrated up to just before `step`, where the test writes rows of the old shape and then
 * calls `migrate`. The database is dropped after the suite.
 */
export function databaseBeforeMigration(
  dialect: Dialect,
  step: string,
): () => Promise<DatabaseBeforeMigration> {
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
    const migrateTo = async (name: string) => {
      const { error } = await migrator.migrateTo(name);
      if (error) throw error;
    };
    const names = Object.keys(migrations(dialect));
    if (!names.includes(step)) throw new Error(`no migration is named ${step}`);
    await migrateTo(names[names.indexOf(step) - 1]!);
    return { db: opened, migrate: () => migrateTo(step) };
  };
}
