import { type RawBuilder, sql } from "kysely";
import type { Db } from "./database.js";
import type { Database } from "./schema.js";
import { slices } from "./slices.js";

/** A column that takes each row's own value, with the SQL type its value is cast to. */
export interface RowColumn<Row> {
  readonly column: string;
  readonly type: "text" | "integer";
  readonly value: (row: Row) => string | number | null;
}

/**
 * Updates many rows of `table`, each with its own values, in one statement per slice
 * (`UPDATE … SET c = v.column2 … FROM (VALUES …) AS v WHERE table.key = v.column1 AND …`)
 * instead of one round trip per row. SQLite (3.33+) and PostgreSQL both name a VALUES list's
 * columns column1, column2, …; every value is cast because PostgreSQL types untyped parameters
 * in a VALUES list as text. Returns how many rows changed.
 */
export async function updateRows<Row>(
  db: Db,
  update: {
    readonly table: keyof Database & string;
    /** The key column, matched against each row's `key`. */
    readonly keyColumn: string;
    readonly key: (row: Row) => string;
    readonly columns: readonly RowColumn<Row>[];
    /** Columns every row gets alike (e.g. `version = version + 1`), as SQL. */
    readonly alike?: readonly RawBuilder<unknown>[];
    /**
     * Values of text columns the table's rows must hold besides the key. Each row of the list
     * carries them, and the join compares them on the rows found by their key, so what
     * PostgreSQL's statistics believe of them never chooses how the table is read. As conditions
     * on the table alone they did, for a batch the statistics had not seen: as equalities on an
     * indexed column, PostgreSQL read every row of the batch by its index, once for each slice;
     * as constants on a table never analyzed, it read the whole table and, for each row, the
     * whole list. IS NOT DISTINCT FROM, not "=": as a plain equality in the join, too, the batch
     * led PostgreSQL to the batch's index.
     */
    readonly match?: readonly { readonly column: string; readonly value: string }[];
    readonly rows: readonly Row[];
  },
): Promise<number> {
  const { table, keyColumn, key, columns } = update;
  let changed = 0;
  // Loops, not closures made per call: see `production/produce-chunk.ts`.
  const sets: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    sets.push(sql`${sql.ref(c.column)} = cast(${sql.ref(`v.column${i + 2}`)} as ${sql.raw(c.type)})`);
  }
  sets.push(...(update.alike ?? []));
  const conditions = [sql`${sql.ref(`${table}.${keyColumn}`)} = ${sql.ref("v.column1")}`];
  const match = update.match ?? [];
  for (let i = 0; i < match.length; i++)
    conditions.push(
      sql`${sql.ref(`${table}.${match[i]!.column}`)} is not distinct from cast(${sql.ref(`v.column${columns.length + i + 2}`)} as text)`,
    );
  // One bound variable per cell: slices stay far below SQLite's 32,766.
  for (const slice of slices(update.rows, 500)) {
    const values: RawBuilder<unknown>[] = [];
    for (const row of slice) {
      const cells: (string | number | null)[] = [key(row)];
      for (const c of columns) cells.push(c.value(row));
      for (const m of match) cells.push(m.value);
      values.push(sql`(${sql.join(cells)})`);
    }
    const result =
      await sql`update ${sql.table(table)} set ${sql.join(sets)} from (values ${sql.join(values)}) as v where ${sql.join(conditions, sql` and `)}`.execute(
        db,
      );
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}
