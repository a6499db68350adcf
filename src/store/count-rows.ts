import type { SelectQueryBuilder } from "kysely";
import type { Database } from "./schema.js";

/** How many rows a query (its tables and conditions, before any selection) matches. */
export async function countRows<TB extends keyof Database>(
  query: SelectQueryBuilder<Database, TB, object>,
): Promise<number> {
  const row = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}
