import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { storeForSuite } from "../test-support/store.js";
import type { Db } from "./database.js";
import type { Database } from "./schema.js";
import { type PreparingOptions, preparingPool, reusingStatements } from "./statement-reuse.js";

/** `rows` rows into `scratch_rows`, two parameters a row, in one statement whose text depends only on `rows.length`. */
function insertRows(db: Db, rows: readonly { id: string; n: number }[]) {
  return sql`insert into scratch_rows (id, n) values ${sql.join(rows.map((row) => sql`(${row.id}, ${row.n})`))}`.execute(
    db,
  );
}

const rowsFrom = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, n: i }));

async function scratchIds(db: Db): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from scratch_rows order by id`.execute(db);
  return result.rows.map((row) => row.id);
}

describe("SQLite statements reused by their text", () => {
  /** A real database whose `prepare` counts the statements SQLite was asked to prepare. */
  function countingDatabase() {
    const database = new SqliteDatabase(":memory:");
    const prepared: string[] = [];
    const prepare = database.prepare.bind(database);
    database.prepare = ((text: string) => {
      prepared.push(text);
      return prepare(text);
    }) as typeof database.prepare;
    return { database, prepared };
  }

  it("prepares a text once and answers the same statement for it again", () => {
    const { database, prepared } = countingDatabase();
    const reusing = reusingStatements(database);
    const first = reusing.prepare("select ? as x");
    expect(reusing.prepare("select ? as x")).toBe(first);
    expect(prepared).toEqual(["select ? as x"]);
    expect(first.all([1])).toEqual([{ x: 1 }]);
    expect(reusing.prepare("select ? as x").all([2])).toEqual([{ x: 2 }]);
    reusing.close();
  });

  it("keeps the most recently used statements, as many as it may", () => {
    const { database, prepared } = countingDatabase();
    const reusing = reusingStatements(database, { statements: 3 });
    for (const text of ["select 1", "select 2", "select 3", "select 1", "select 4"]) reusing.prepare(text);
    // "select 2" was the least recently used when "select 4" came: it alone was let go.
    prepared.length = 0;
    for (const text of ["select 1", "select 3", "select 4", "select 2"]) reusing.prepare(text);
    expect(prepared).toEqual(["select 2"]);
    reusing.close();
  });

  it("keeps no more text than it may: a long statement is let go, and evicts the oldest", () => {
    const { database, prepared } = countingDatabase();
    const long = `select ${"1 + ".repeat(30)}1 as x`; // 133 characters
    const reusing = reusingStatements(database, { characters: 150 });
    reusing.prepare(long);
    reusing.prepare("select 'a'"); // 10 characters: 143 kept
    reusing.prepare("select 'bb'"); // 11 more would be 154: the long one goes
    prepared.length = 0;
    for (const text of ["select 'a'", "select 'bb'", long]) reusing.prepare(text);
    expect(prepared).toEqual([long]);
    // Longer than all it may keep: prepared each time, and nothing kept is let go for it.
    const longer = `select ${"1 + ".repeat(40)}1 as x`;
    prepared.length = 0;
    for (const text of [longer, longer, "select 'bb'"]) reusing.prepare(text);
    expect(prepared).toEqual([longer, longer]);
    reusing.close();
  });
});

describe.each(dialects)("statements reused on %s, through the store", (dialect) => {
  const suite = storeForSuite(dialect, async (db) => {
    await sql`create table scratch_rows (id text primary key, n integer not null)`.execute(db);
  });

  it("runs one text again with other values, after a failure too", async () => {
    const { db } = suite;
    await insertRows(db, rowsFrom("a", 60));
    await insertRows(db, rowsFrom("b", 60));
    // The same text again, with a key already there: refused, and nothing of it written.
    await expect(insertRows(db, [...rowsFrom("c", 59), { id: "a0", n: 0 }])).rejects.toThrow();
    await insertRows(db, rowsFrom("d", 60));
    const ids = await scratchIds(db);
    expect(ids).toHaveLength(180);
    expect(ids.filter((id) => id.startsWith("c"))).toEqual([]);
    expect(ids.filter((id) => id.startsWith("d"))).toHaveLength(60);
  });
});

async function preparedOnThisConnection(db: Db): Promise<string[]> {
  const result = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
  return result.rows.map((row) => row.statement);
}

describe.runIf(dialects.includes("postgres"))("statements prepared on PostgreSQL, through the store", () => {
  const suite = storeForSuite("postgres", async (db) => {
    await sql`create table scratch_rows (id text primary key, n integer not null)`.execute(db);
  });

  it("prepares an insert of 100 parameters or more once on its connection, and nothing else", async () => {
    await suite.db.transaction().execute(async (trx) => {
      // One transaction holds one connection, whose prepared statements the view lists.
      const before = await preparedOnThisConnection(trx);
      await insertRows(trx, rowsFrom("e", 50));
      await insertRows(trx, rowsFrom("f", 50));
      await insertRows(trx, rowsFrom("g", 49));
      // An update reads the table: its plan follows the table's size, so it is never kept.
      const ids = rowsFrom("e", 60).map((row) => row.id);
      await sql`update scratch_rows set n = n + 1 where id in (${sql.join(ids)}) or id in (${sql.join(ids)})`.execute(
        trx,
      );
      const added = (await preparedOnThisConnection(trx)).filter((text) => !before.includes(text));
      // The 100-parameter insert once for both runs; neither the 98-parameter one nor the update.
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^insert into scratch_rows \(id, n\) values \(\$1, \$2\), /);
      expect(added[0]).toContain("($99, $100)");
    });
    expect(await scratchIds(suite.db)).toHaveLength(149);
  });
});

describe.runIf(dialects.includes("postgres"))("a PostgreSQL connection's prepared statements", () => {
  let database: TestDatabase;
  const made: Kysely<Database>[] = [];
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    for (const db of made) await db.destroy();
    await database?.drop();
  });

  /** A Kysely of one connection over {@link preparingPool} with `options`, and a fresh table. */
  async function oneConnection(options: PreparingOptions) {
    if (database.settings.kind !== "postgres") throw new Error("a PostgreSQL database was asked for");
    const pool = new pg.Pool({ connectionString: database.settings.url, max: 1 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool, options) }) });
    made.push(db);
    await sql`drop table if exists scratch_rows`.execute(db);
    await sql`create table scratch_rows (id text primary key, n integer not null)`.execute(db);
    return db;
  }
  const run = async (db: Db, counts: number[]) => {
    for (const count of counts) await insertRows(db, rowsFrom(`p${count}-${Math.random()}`, count));
  };

  it("are the texts run a second time, as many as it keeps; others run unprepared", async () => {
    const db = await oneConnection({ minParameters: 10, perConnection: 2 });
    await run(db, [5, 6, 5, 7, 6, 8, 7]);
    // 5 and 6 rows came back and were prepared; 7 came back too late, 8 never came back.
    const prepared = await preparedOnThisConnection(db);
    expect(prepared).toHaveLength(2);
    expect(prepared.some((text) => text.endsWith("($9, $10)"))).toBe(true);
    expect(prepared.some((text) => text.endsWith("($11, $12)"))).toBe(true);
    expect(await scratchIds(db)).toHaveLength(44);
  });

  it("hold no more text than it may", async () => {
    const db = await oneConnection({ minParameters: 10, characters: 150 });
    // The text of 5 rows is 89 characters, of 6 rows 101: both would be 190.
    await run(db, [5, 5, 6, 6]);
    const prepared = await preparedOnThisConnection(db);
    expect(prepared).toHaveLength(1);
    expect(prepared[0]).toHaveLength(89);
    expect(await scratchIds(db)).toHaveLength(22);
  });
});
