import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withStatementCache } from "./statement-cache.js";

describe("withStatementCache", () => {
  let sqlite: SqliteDatabase.Database;

  beforeEach(() => {
    sqlite = new SqliteDatabase(":memory:");
    sqlite.exec("create table t (id integer primary key, name text)");
    sqlite.exec("insert into t (name) values ('a'), ('b'), ('c')");
  });
  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  it("prepares a statement text once and hands the same statement out again", () => {
    const database = withStatementCache(sqlite);
    const first = database.prepare("select name from t order by id");
    expect(database.prepare("select name from t order by id")).toBe(first);
    expect(database.prepare("select id from t")).not.toBe(first);
  });

  it("prepares a statement afresh while the kept one is still being iterated", () => {
    const database = withStatementCache(sqlite);
    const text = "select name from t order by id";
    const rows = database.prepare(text).iterate([]);
    expect(rows.next().value).toEqual({ name: "a" });
    // better-sqlite3 refuses to run a busy statement: the second caller gets its own.
    expect(database.prepare(text).all([])).toEqual([{ name: "a" }, { name: "b" }, { name: "c" }]);
    expect([...rows]).toEqual([{ name: "b" }, { name: "c" }]);
  });

  it("drops the least recently used beyond its size", () => {
    const database = withStatementCache(sqlite, 2);
    const one = database.prepare("select 1");
    const two = database.prepare("select 2");
    expect(database.prepare("select 1")).toBe(one);
    database.prepare("select 3");
    // "select 2" was used least recently: gone; "select 1" stays.
    expect(database.prepare("select 1")).toBe(one);
    expect(database.prepare("select 2")).not.toBe(two);
  });

  it("answers by the schema of the moment, after the table changes under a kept statement", () => {
    const database = withStatementCache(sqlite);
    expect(database.prepare("select * from t where id = 1").all([])).toEqual([{ id: 1, name: "a" }]);
    sqlite.exec("alter table t add column note text default 'x'");
    expect(database.prepare("select * from t where id = 1").all([])).toEqual([
      { id: 1, name: "a", note: "x" },
    ]);
  });

  it("serves Kysely: reads, writes and transactions go through the kept statements", async () => {
    const db = new Kysely<{ t: { id: number; name: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    for (const name of ["d", "e"]) await db.insertInto("t").values({ name }).execute();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("t").set({ name: "z" }).where("id", "=", 1).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable("t").set({ name: "y" }).where("id", "=", 2).execute();
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const names = await db.selectFrom("t").select("name").orderBy("id").execute();
    expect(names.map((row) => row.name)).toEqual(["z", "b", "c", "d", "e"]);
    const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(rows[0]!.n).toBe(5);
    await db.destroy();
    expect(sqlite.open).toBe(false);
  });
});
