import type { InsertObject } from "kysely";
import type { Db } from "./database.js";
import type { Database } from "./schema.js";
import { slices } from "./slices.js";

/**
 * Inserts one row per item into `table`, `size` rows a statement: pick `size` so that a slice's
 * bound variables (rows × columns) stay below SQLite's 32,766.
 */
export async function insertInSlices<Table extends keyof Database & string, Item>(
  db: Db,
  table: Table,
  items: readonly Item[],
  size: number,
  toRow: (item: Item) => InsertObject<Database, Table>,
): Promise<void> {
  for (const slice of slices(items, size)) {
    await db.insertInto(table).values(slice.map(toRow)).execute();
  }
}

/**
 * The rows of one query per slice of `items` (an `IN (…)` list of at most `size`), all together.
 */
export async function selectInSlices<Item, Row>(
  items: readonly Item[],
  size: number,
  select: (slice: Item[]) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const slice of slices(items, size)) rows.push(...(await select(slice)));
  return rows;
}
