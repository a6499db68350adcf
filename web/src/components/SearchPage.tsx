import { type ReactNode, useMemo } from "react";
import { type PageOptions, usePage } from "../api/queries";
import type { TableSort } from "./DataTable";
import { PageHeader, type PageHeaderProps } from "./PageHeader";
import { type SearchForm, SearchTable, type TableSpec } from "./SearchTable";
import { useSearchForm } from "./url-filters";

/** A list searched without criteria: kept here so that it is the same array at every render. */
const noCriteria: readonly never[] = [];

interface SearchPageProps<T, K extends string>
  extends Pick<PageHeaderProps, "title" | "description" | "actions"> {
  /** The list resource: the key its pages are cached under (what changes invalidate) and its path. */
  resource: [key: string, path: string];
  /** The criteria kept in the URL: a module constant, so it never changes. */
  filterKeys?: readonly K[];
  /** The criteria's form (a {@link SearchFilters}) for the page's search. */
  filters?(search: SearchForm<K>): ReactNode;
  spec: TableSpec<T>;
  options?: PageOptions<T>;
  /** Under the results, e.g. a note. */
  children?: ReactNode;
}

/**
 * A page that is one list: its heading, then its criteria (kept in the URL, so a search is a
 * link), the results and the pager.
 */
export function SearchPage<T, K extends string = never>({
  title,
  description,
  actions,
  resource: [key, path],
  filterKeys = noCriteria,
  filters,
  spec,
  options,
  children,
}: SearchPageProps<T, K>) {
  // The order is kept in the URL beside the criteria, so a sorted search is a link too.
  const keys = useMemo(() => [...filterKeys, "sort", "order"] as const, [filterKeys]);
  const search = useSearchForm<K | "sort" | "order">(keys);
  const rows = usePage<T>(key, path, search.query, options);
  const sort = sortOf(spec.order, search.values.sort, search.values.order, (by, direction) =>
    search.apply({ ...search.values, sort: by, order: direction }),
  );
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <SearchTable
        // The form holds sort and order too, so a new search keeps the order; its fields are K's.
        filters={filters?.(search as unknown as SearchForm<K>)}
        spec={spec}
        query={rows}
        pager={search.pages}
        sort={sort}
      >
        {children}
      </SearchTable>
    </>
  );
}

/**
 * The order a list is shown in from the URL's `sort` and `order`, else the list's declared one;
 * a click on the sorted column reverses it, on another column sorts by it (its default way).
 */
export function sortOf(
  declared: { by: string; direction: "asc" | "desc" } | undefined,
  sort: string,
  order: string,
  apply: (by: string, direction: "asc" | "desc") => void,
): TableSort | undefined {
  if (!declared) return undefined;
  const by = sort || declared.by;
  const direction =
    order === "asc" || order === "desc" ? order : by === declared.by ? declared.direction : "asc";
  return {
    by,
    direction,
    onSort: (next) =>
      apply(
        next,
        next === by
          ? direction === "asc"
            ? "desc"
            : "asc"
          : next === declared.by
            ? declared.direction
            : "asc",
      ),
  };
}
