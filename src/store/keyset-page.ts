import { type SelectQueryBuilder, type StringReference, sql } from "kysely";
import { decodeCursor, type Page, toPage } from "./cursor.js";
import type { PageRequest } from "./page-request.js";

/** The order a list is paged in: a text sort column, then a unique text column that breaks ties. */
export interface KeysetOrder<DB, TB extends keyof DB, Row> {
  /** The list, named in its cursors with the order: two lists may both be read by `created_at`. */
  readonly list: string;
  readonly sort: StringReference<DB, TB>;
  readonly tieBreak: StringReference<DB, TB>;
  readonly direction: "asc" | "desc";
  /** The values of `sort` and `tieBreak` in a row of the page: the next page's cursor. */
  readonly keyOf: (row: Row) => readonly [string, string];
}

/** The order of `list` by one text column, ties broken by the row's id. */
export function orderByColumn<Column extends string>(list: string, sort: Column, direction: "asc" | "desc") {
  return {
    list,
    sort,
    tieBreak: "id",
    direction,
    keyOf: (row: Record<Column | "id", string>) => [row[sort], row.id] as const,
  } as const;
}

/**
 * The order as its cursors name it: a cursor of another list, or of another order of this one,
 * would answer a page of neither (`decodeCursor`).
 */
export function keysetOrderName(order: { list: string; sort: unknown; direction: string }): string {
  return `${order.list}: ${String(order.sort)} ${order.direction}`;
}

/**
 * The page of `query` that follows the request's cursor in `order`, counted as `total`. Fetches
 * one row more than the page so that `toPage` knows whether another follows.
 */
export async function selectKeysetPage<DB, TB extends keyof DB, Row, Item>(
  query: SelectQueryBuilder<DB, TB, Row>,
  page: PageRequest,
  total: number,
  order: KeysetOrder<DB, TB, Row>,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const { sort, tieBreak, direction } = order;
  const orderName = keysetOrderName(order);
  let pageQuery = query;
  if (page.cursor) {
    const [sortValue, tieValue] = decodeCursor(page.cursor, ["text", "text"], orderName) as [string, string];
    // Row values, as `eb.refTuple` writes them; spelled out because its types cannot follow
    // columns that are generic here.
    const beyond = sql.raw(direction === "asc" ? ">" : "<");
    pageQuery = pageQuery.where(
      sql<boolean>`(${sql.ref(sort)}, ${sql.ref(tieBreak)}) ${beyond} (${sortValue}, ${tieValue})`,
    );
  }
  const rows = await pageQuery
    .orderBy(sort, direction)
    .orderBy(tieBreak, direction)
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, total, order.keyOf, toItem, orderName);
}
