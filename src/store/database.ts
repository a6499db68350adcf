import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { migrations } from "./migrations/index.js";
import type { Database } from "./schema.js";
import { preparingPool, reusingStatements } from "./statement-reuse.js";

export type Dialect = "sqlite" | "postgres";

export type Db = Kysely<Database>;

/** Whether `db` speaks to PostgreSQL (a transaction's handle included). */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The database Tessera talks to, and which dialect it speaks. */
export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

export type DatabaseSettings = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/**
 * Opens the database and brings its schema up to date. SQLite runs in WAL mode with foreign
 * keys on; PostgreSQL's int8 and numeric come back as numbers (Tessera's counts stay far below 2^53).
 */
export async function openStore(
  settings: DatabaseSettings,
  { onConnectionLost }: { onConnectionLost?: (error: Error) => void } = {},
): Promise<Store> {
  let db: Db;
  if (settings.kind === "sqlite") {
    if (settings.file !== ":memory:") {
      // Tokens, PIN letters, password hashes and personal data live in this file: owner only.
      // SQLite gives the -wal and -shm files the database file's mode.
      mkdirSync(path.dirname(settings.file), { recursive: true, mode: 0o700 });
      if (!existsSync(settings.file)) closeSync(openSync(settings.file, "a", 0o600));
    }
    const sqlite = new SqliteDatabase(settings.file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // Purged PIN letters are overwritten on disk, not merely unlinked from the B-tree.
    sqlite.pragma("secure_delete = ON");
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
  } else {
    const pool = new pg.Pool({
      connectionString: settings.url,
      max: 10,
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          oid === 20 || oid === 1700
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server closes (restart, failover) is dropped from the pool and
    // replaced on next use; without a listener its error would end the process.
    pool.on("error", (error) => onConnectionLost?.(error));
    // Tessera's queries read a page or a chunk: starting parallel workers for one cost more than
    // the page (a name search's first page took 119 ms with two workers, 29 ms without, at a
    // million cards). A higher setup cost keeps parallel plans for scans that repay them.
    pool.on("connect", (client) => {
      client.query("set parallel_setup_cost = 10000").catch((error: Error) => onConnectionLost?.(error));
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  }
  const dialect: Dialect = settings.kind;
  try {
    await migrate(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, close: () => db.destroy() };
}

async function migrate(db: Db, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
}

/** Resolves once the database answers a read; rejects when it cannot be reached. */
export async function checkDatabase(db: Db): Promise<void> {
  await db.selectFrom("sequences").select("name").limit(1).execute();
}

/**
 * Runs `work` in one transaction: every store function given the `trx` it receives commits or
 * rolls back with the others. The only way code outside the store opens a transaction.
 */
export function transact<T>(store: Store, work: (trx: Db) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(work);
}
