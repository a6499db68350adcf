import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "./schema.js";

/** How many rows a query (its tables and conditions, before any selection) matches. */
export async function countRows<TB extends keyof Database>(
  query: SelectQueryBuilder<Database, TB, object>,
): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * How many rows a query matches, counting no further than `cap` + 1: past `cap`, `n` is `cap`
 * and `more` is true. The database stops at the cap, so a search that matches much costs no
 * more than one that matches `cap`. Without a cap, every row is counted.
 */
export async function countRowsUpTo<DB, TB extends keyof DB>(
  db: Kysely<Database>,
  query: SelectQueryBuilder<DB, TB, object>,
  cap: number | undefined,
): Promise<{ n: number; more: boolean }> {
  const matches = query.select(sql.lit(1).as("one"));
  const row = await db
    .selectFrom((cap === undefined ? matches : matches.limit(cap + 1)).as("matches"))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return cap !== undefined && n > cap ? { n: cap, more: true } : { n, more: false };
}
