import { type RawBuilder, sql } from "kysely";
import { type Db, isPostgres } from "./database.js";
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
 * (`UPDATE … SET c = v.column2 … FROM (…) AS v WHERE table.key = v.column1 AND …`) instead of
 * one round trip per row. The rows come as a VALUES list on SQLite (which names its columns
 * column1, column2, …) and as one array a column on PostgreSQL (`unnest(…) AS v(column1, …)`).
 * A VALUES list takes a parameter per cell, thousands a chunk for PostgreSQL to parse and plan
 * afresh and for Kysely to build; arrays are a handful of parameters, and the planner still
 * counts their elements. Updating 15,000 cards in statements of 250 (six columns each) took
 * PostgreSQL 910–950 ms of CPU with VALUES lists and 780–920 ms with arrays, and the whole
 * 1,320–1,340 ms against 1,040–1,210 ms; most of it is the rows' index entries, not the
 * statement. Every value is cast (a VALUES
 * list's parameters would be text to PostgreSQL; on its typed arrays the casts change nothing).
 * Returns how many rows changed.
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
  const postgres = isPostgres(db);
  // On SQLite one bound variable per cell: slices stay far below its 32,766.
  for (const slice of slices(update.rows, 500)) {
    const listed = { slice, key, columns, match };
    const rows = postgres ? rowArrays(listed) : rowValues(listed);
    const result =
      await sql`update ${sql.table(table)} set ${sql.join(sets)} from ${rows} where ${sql.join(conditions, sql` and `)}`.execute(
        db,
      );
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}

/** A slice of the rows to update, with what each of them gives the statement. */
interface Listed<Row> {
  readonly slice: readonly Row[];
  readonly key: (row: Row) => string;
  readonly columns: readonly RowColumn<Row>[];
  readonly match: readonly { readonly column: string; readonly value: string }[];
}

/** `(VALUES (key, value…, match…), …)`: one row of the list per row. */
function rowValues<Row>({ slice, key, columns, match }: Listed<Row>): RawBuilder<unknown> {
  const values: RawBuilder<unknown>[] = [];
  for (const row of slice) {
    const cells: (string | number | null)[] = [key(row)];
    for (const c of columns) cells.push(c.value(row));
    for (const m of match) cells.push(m.value);
    values.push(sql`(${sql.join(cells)})`);
  }
  return sql`(values ${sql.join(values)}) as v`;
}

/** `unnest(keys::text[], values::type[]…, match::text[]…)`, its columns named as a VALUES list's. */
function rowArrays<Row>({ slice, key, columns, match }: Listed<Row>): RawBuilder<unknown> {
  // Loops, not closures made per call: see `production/produce-chunk.ts`.
  const keys: string[] = [];
  for (const row of slice) keys.push(key(row));
  const arrays: RawBuilder<unknown>[] = [sql`${keys}::text[]`];
  for (const c of columns) {
    const values: (string | number | null)[] = [];
    for (const row of slice) values.push(c.value(row));
    arrays.push(sql`${values}::${sql.raw(c.type)}[]`);
  }
  for (const m of match) arrays.push(sql`${new Array<string>(slice.length).fill(m.value)}::text[]`);
  const names: RawBuilder<unknown>[] = [];
  for (let i = 1; i <= arrays.length; i++) names.push(sql.raw(`column${i}`));
  return sql`unnest(${sql.join(arrays)}) as v(${sql.join(names)})`;
}
