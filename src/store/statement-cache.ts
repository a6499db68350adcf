import type SqliteDatabase from "better-sqlite3";
import type { SqliteDatabase as KyselySqliteDatabase } from "kysely";

/** Statements kept prepared: more than the distinct statements a batch's chunk runs. */
const defaultSize = 256;

/**
 * The database as Kysely's SQLite dialect sees it, with each statement text prepared once and
 * kept (the least recently used dropped beyond `size`). Kysely prepares every query anew: for
 * the runner recording a chunk (the same few dozen statements every chunk, some of them
 * hundreds of rows long) that was a tenth of its thread's time. A statement still being
 * iterated is never handed out twice: a busy one is prepared afresh for the second caller.
 * SQLite prepares a kept statement again by itself when the schema changes under it.
 */
export function withStatementCache(
  database: SqliteDatabase.Database,
  size = defaultSize,
): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close() {
      statements.clear();
      database.close();
    },
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept?.busy) return database.prepare(sql);
      if (kept) {
        // Map order is insertion order: moved to the end, it is the most recently used.
        statements.delete(sql);
        statements.set(sql, kept);
        return kept;
      }
      const statement = database.prepare(sql);
      if (statements.size >= size) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
      return statement;
    },
  };
}
