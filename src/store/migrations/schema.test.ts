import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, dialects, type TestDatabase } from "../../test-support/databases.js";
import { type Db, openStore, type Store } from "../database.js";

/**
 * Deployed databases ran these migrations, so a fresh database must get the very schema they
 * hold. The snapshots were taken from the migrations as first written, before they shared
 * `table-definitions.ts`: a change to a migration or to its helpers that alters them rewrites
 * history. Only a new migration may change them (`vitest -u`, and review the difference).
 */
describe.each(dialects)("the migrations on %s", (dialect) => {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("create the schema that deployed databases hold", async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    const schema = dialect === "sqlite" ? await describeSqlite(store.db) : await describePostgres(store.db);
    await expect(schema).toMatchFileSnapshot(`./schema-snapshots/${dialect}.txt`);
  });
});

async function rowsOf(db: Db, query: ReturnType<typeof sql>): Promise<string> {
  const { rows } = await query.execute(db);
  return rows.map((row) => Object.values(row as Record<string, unknown>).join(" | ")).join("\n");
}

/** SQLite keeps each table, index and trigger as the statement that created it. */
function describeSqlite(db: Db): Promise<string> {
  return rowsOf(db, sql`select type, name, tbl_name, sql from sqlite_master order by name`);
}

/** PostgreSQL's catalog, as its own functions write each definition back. */
async function describePostgres(db: Db): Promise<string> {
  const parts = await Promise.all([
    rowsOf(
      db,
      sql`select table_name, ordinal_position, column_name, data_type, is_nullable, column_default
            from information_schema.columns where table_schema = 'public'
           order by table_name, ordinal_position`,
    ),
    rowsOf(
      db,
      sql`select conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            from pg_constraint where connamespace = 'public'::regnamespace
           order by 1, 2`,
    ),
    rowsOf(
      db,
      sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`,
    ),
    rowsOf(
      db,
      sql`select tgname, pg_get_triggerdef(oid) from pg_trigger where not tgisinternal order by tgname`,
    ),
    rowsOf(
      db,
      sql`select proname, prosrc from pg_proc where pronamespace = 'public'::regnamespace order by proname`,
    ),
    // Storage parameters (027). A column's compression is left out: LZ4 depends on how the server was built.
    rowsOf(
      db,
      sql`select relname, array_to_string(reloptions, ', ') from pg_class
           where relnamespace = 'public'::regnamespace and reloptions is not null order by relname`,
    ),
  ]);
  return `${parts.join("\n\n")}\n`;
}
