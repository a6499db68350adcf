import type { InsertObject } from "kysely";
import type { Db } from "./database.js";
import type { Database } from "./schema.js";
import { slices } from "./slices.js";

/**
 * Inserts `rows` into `table`, `size` rows a statement: pick `size` so that a slice's bound
 * variables (rows × columns) stay below SQLite's 32,766.
 */
export async function insertRowsInSlices<Table extends keyof Database & string>(
  db: Db,
  table: Table,
  rows: readonly InsertObject<Database, Table>[],
  size: number,
): Promise<void> {
  for (const slice of slices(rows, size)) await db.insertInto(table).values(slice).execute();
}

/**
 * {@link insertRowsInSlices} of one row per item. The paths a batch takes for every chunk make
 * their rows in a loop instead, not through a function made per call (see
 * `production/produce-chunk.ts`).
 */
export async function insertInSlices<Table extends keyof Database & string, Item>(
  db: Db,
  table: Table,
  items: readonly Item[],
  size: number,
  toRow: (item: Item) => InsertObject<Database, Table>,
): Promise<void> {
  // Mapped slice by slice: a large import holds one slice's rows at a time.
  for (const slice of slices(items, size)) await insertRowsInSlices(db, table, slice.map(toRow), size);
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
