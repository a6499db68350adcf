import { TesseraError } from "../domain/errors.js";

/**
 * Keyset cursors: the sort key of the last row of a page, as opaque base64url JSON. Paging by
 * row value stays fast at any depth, where OFFSET slows down linearly (DEPENDENCIES.md).
 */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => typeof v === "string" || typeof v === "number")
    )
      return values;
  } catch {
    // fall through to the error below: a damaged cursor is the client's mistake
  }
  throw new TesseraError("request.invalid", "The cursor is not valid; start again from the first page.", {
    field: "cursor",
  });
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
): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toItem),
    total: Number(total),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}
