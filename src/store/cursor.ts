import { TesseraError } from "../domain/errors.js";
import { isValidText } from "../domain/text.js";

/**
 * Keyset cursors: the sort key of the last row of a page, as opaque base64url JSON. Paging by
 * row value stays fast at any depth, where OFFSET slows down linearly (DEPENDENCIES.md). A list
 * that can be read in several orders names its order in the cursor too: a cursor of one order
 * read in another would answer a page of neither.
 */
export function encodeCursor(values: readonly (string | number)[], order?: string): string {
  return Buffer.from(JSON.stringify(order === undefined ? values : [...values, order])).toString("base64url");
}

/**
 * What one value of a cursor is: text (a sort key or id), or a non-negative number of the column
 * it is compared with, `integer` (32 bits) or `bigint` (as far as JSON keeps integers exact).
 * A number the column cannot hold is no place in the list, and PostgreSQL refuses the comparison.
 */
export type CursorField = "text" | "integer" | "bigint";

/** Longest text a cursor value can be: sort keys and ids are far shorter. */
const maxCursorText = 256;

function fits(value: unknown, field: CursorField): boolean {
  if (field === "integer")
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 31 - 1;
  if (field === "bigint") return Number.isSafeInteger(value) && (value as number) >= 0;
  return typeof value === "string" && value.length <= maxCursorText && isValidText(value);
}

/**
 * The values of a cursor the client sent back, checked against the `shape` of the list's sort
 * key and the `order` the list is read in now: a damaged or forged cursor, or one of another
 * order, is the client's mistake (`request.invalid_cursor`), never a query the database refuses
 * nor a page out of place.
 */
export function decodeCursor(
  cursor: string,
  shape: readonly CursorField[],
  order?: string,
): (string | number)[] {
  let values: unknown;
  try {
    values = /^[A-Za-z0-9_-]*$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
      : undefined;
  } catch {
    // a damaged cursor: refused below
  }
  if (order !== undefined && Array.isArray(values)) {
    if (values.at(-1) !== order)
      throw new TesseraError(
        "request.invalid_cursor",
        "The cursor belongs to another order of the list: start again from the first page.",
        { field: "cursor" },
      );
    values = values.slice(0, -1);
  }
  if (Array.isArray(values) && values.length === shape.length && shape.every((f, i) => fits(values[i], f)))
    return values as (string | number)[];
  throw new TesseraError("request.invalid_cursor", undefined, { field: "cursor" });
}

/**
 * The page of `limit` rows out of `rows` (fetched with limit + 1, so one more means there is a
 * next page), with the cursor of its last row.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  total: number | bigint | string,
  keyOf: (row: Row) => readonly (string | number)[],
  toItem: (row: Row) => Item,
  /** The order the rows were read in, for a list that has several (see `encodeCursor`). */
  order?: string,
): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    total: Number(total),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last), order) : null,
  };
}

export interface Page<T> {
  items: T[];
  total: number;
  /** True when the search stopped counting at `total`: more rows than that match. */
  totalIsLowerBound?: boolean;
  nextCursor: string | null;
}
