import { sql } from "kysely";
import type { Db } from "./database.js";

/**
 * Reserves `count` consecutive numbers of a named sequence and returns the first. The upsert
 * takes the row lock on PostgreSQL, so concurrent callers get disjoint ranges.
 */
export async function reserveSequence(db: Db, name: string, count = 1): Promise<number> {
  const row = await db
    .insertInto("sequences")
    .values({ name, value: count })
    .onConflict((oc) => oc.column("name").doUpdateSet({ value: sql`sequences.value + ${count}` }))
    .returning("value")
    .executeTakeFirstOrThrow();
  return Number(row.value) - count + 1;
}
