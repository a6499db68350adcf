import type { ReactNode } from "react";
import { type PageOptions, usePage } from "../api/queries";
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
  const search = useSearchForm(filterKeys);
  const rows = usePage<T>(key, path, search.query, options);
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <SearchTable filters={filters?.(search)} spec={spec} query={rows} pager={search.pages}>
        {children}
      </SearchTable>
    </>
  );
}
