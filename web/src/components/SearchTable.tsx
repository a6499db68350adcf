import { Box, Button, Group, Paper, Select, Text, TextInput } from "@mantine/core";
import { type Icon, IconSearch } from "@tabler/icons-react";
import { type FormEvent, type ReactNode, useState } from "react";
import { DataTable, type DataTableProps, type RowSelection, type TableSort } from "./DataTable";
import { EmptyNote, ErrorAlert, Loading } from "./ErrorAlert";
import { type CursorPages, Pager } from "./Pager";

/** One search criterion: a text (or date) box, or a choice. `w` keeps the row of criteria tidy. */
export type FilterField<K extends string> = { key: K; label: string; w: number } & (
  | { kind: "text"; type?: "date"; leftSection?: ReactNode }
  | { kind: "select"; data: { value: string; label: string }[]; searchable?: boolean }
);

/** A text criterion (`type: "date"` for a day, typed YYYY-MM-DD). */
export function textField<K extends string>(
  key: K,
  label: string,
  w: number,
  more: { type?: "date"; leftSection?: ReactNode } = {},
): FilterField<K> {
  return { key, label, w, kind: "text", ...more };
}

/** A choice among `options`, led by `any` (the empty value: no criterion). */
export function choiceField<K extends string>(
  key: K,
  label: string,
  w: number,
  any: string,
  options: { value: string; label: string }[],
  more: { searchable?: boolean } = {},
): FilterField<K> {
  return { key, label, w, kind: "select", data: [{ value: "", label: any }, ...options], ...more };
}

/** The criteria being edited and how they are applied: what `useSearchForm` gives. */
export interface SearchForm<K extends string> {
  form: Record<K, string>;
  setForm(value: Record<K, string>): void;
  apply(value: Partial<Record<K, string>>): void;
}

export interface SearchFiltersProps<K extends string> {
  /** The form's accessible name. */
  label: string;
  fields: FilterField<K>[];
  search: SearchForm<K>;
  /** What **Search** does; by default it puts the criteria in the URL. */
  onSearch?(): void;
  searchLabel?: string;
}

/** The search criteria of a list page and its **Search** button. */
export function SearchFilters<K extends string>({
  label,
  fields,
  search,
  onSearch,
  searchLabel = "Search",
}: SearchFiltersProps<K>) {
  const value = search.form;
  const set = (key: K, next: string | null) => search.setForm({ ...value, [key]: next ?? "" });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (onSearch) onSearch();
    else search.apply(value);
  }
  return (
    <form onSubmit={submit} aria-label={label}>
      <Group align="flex-end" gap="sm" wrap="wrap">
        {fields.map((field) =>
          field.kind === "select" ? (
            <Select
              key={field.key}
              label={field.label}
              data={field.data}
              value={value[field.key]}
              onChange={(next) => set(field.key, next)}
              searchable={field.searchable}
              w={field.w}
            />
          ) : (
            <TextInput
              key={field.key}
              label={field.label}
              // A day is typed as every date is shown, YYYY-MM-DD: a browser's date box shows its
              // own locale's order (mm/dd/yyyy), which reads wrongly beside ISO dates.
              {...(field.type === "date" && {
                placeholder: "YYYY-MM-DD",
                inputMode: "numeric" as const,
                pattern: "\\d{4}-\\d{2}-\\d{2}",
                title: "A date as YYYY-MM-DD",
              })}
              value={value[field.key]}
              onChange={(event) => set(field.key, event.currentTarget.value)}
              leftSection={field.leftSection}
              w={field.w}
            />
          ),
        )}
        <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
          {searchLabel}
        </Button>
      </Group>
    </form>
  );
}

interface ListIntroProps {
  children: ReactNode;
  /** The button that adds to the list, and the dialog it opens (which calls `close` when done). */
  add: { label: string; icon: Icon; dialog(close: () => void): ReactNode };
}

/** A line that says what a list holds, with the button that adds to it and the dialog it opens. */
export function ListIntro({ children, add }: ListIntroProps) {
  const [adding, setAdding] = useState(false);
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {children}
        </Text>
        <Button leftSection={<add.icon size={16} aria-hidden />} onClick={() => setAdding(true)}>
          {add.label}
        </Button>
      </Group>
      {adding && add.dialog(() => setAdding(false))}
    </>
  );
}

/** What a list query gives: a page of rows (the API's `Page`, or a plain list of `items`). */
export interface RowsQuery<T> {
  data: { items?: T[]; total?: number; totalIsLowerBound?: boolean; nextCursor?: string | null } | undefined;
  error: unknown;
  isPending: boolean;
  isPlaceholderData: boolean;
  refetch(): unknown;
}

/** What a list shows and says, apart from its rows: fixed for a page, so written beside its columns. */
export interface TableSpec<T>
  extends Omit<DataTableProps<T>, "rows" | "dimmed" | "selection" | "rowKey" | "label" | "sort"> {
  /**
   * The order the API reads the list in when none is asked (shown by an arrow in that column's
   * header). Columns with a `sortKey` then sort the list on the server when clicked.
   */
  order?: { by: string; direction: "asc" | "desc" };
  /** What the rows are: ["card", "cards"]; the pager counts them, and the table is named after them. */
  noun: [string, string];
  /** The table's accessible name, when not the rows' plural ("Cards"). */
  label?: string;
  /** By default the row's `id`. */
  rowKey?(row: T): string | number;
  /** What an empty result says. */
  empty: ReactNode;
  /** What to say when this server does not have the route yet. */
  missing?: string;
}

interface SearchTableProps<T> {
  spec: TableSpec<T>;
  query: RowsQuery<T>;
  /** Keyset paging, for an answer that carries `total` and `nextCursor`. */
  pager?: CursorPages;
  selection?: RowSelection<T>;
  /** The order shown (and changed) in the header; by default the spec's fixed `order`. */
  sort?: TableSort;
  /** Above the results: the criteria (a {@link SearchFilters}), or the table's title. */
  filters?: ReactNode;
  /** Between the criteria and the results: a selection count and its actions. */
  toolbar?: ReactNode;
  /** Shown instead of the results before the first search (for searches that wait for **Search**). */
  idle?: ReactNode;
  padding?: "md" | "lg";
  /** Under the results, e.g. a note. */
  children?: ReactNode;
}

const idOf = (row: unknown) => (row as { id: string }).id;

/**
 * A list page's body, written once: criteria, the results table (or why there is none: an error,
 * loading, nothing matches) and the pager. Each page gives its columns and its criteria.
 */
export function SearchTable<T>({
  spec: { rowKey = idOf, noun, label, empty, missing, order, ...table },
  query,
  pager,
  selection,
  sort = order,
  filters,
  toolbar,
  idle,
  padding = "md",
  children,
}: SearchTableProps<T>) {
  const rows = query.data?.items ?? [];
  return (
    <Paper p={padding}>
      {filters}
      {toolbar}
      <Box mt={filters && !toolbar ? "md" : undefined}>
        {idle ?? (
          <>
            {query.error !== null && query.error !== undefined && (
              <ErrorAlert error={query.error} missing={missing} onRetry={() => query.refetch()} />
            )}
            {query.isPending && <Loading label={`Loading ${noun[1]}…`} />}
            {query.data && rows.length === 0 && <EmptyNote>{empty}</EmptyNote>}
            {query.data && rows.length > 0 && (
              <DataTable
                {...table}
                label={label ?? noun[1][0]!.toUpperCase() + noun[1].slice(1)}
                rows={rows}
                rowKey={rowKey}
                selection={selection}
                sort={sort}
                dimmed={query.isPlaceholderData}
              />
            )}
            {query.data && pager && (
              <Pager
                pages={pager}
                shown={rows.length}
                total={query.data.total ?? rows.length}
                totalIsLowerBound={query.data.totalIsLowerBound}
                nextCursor={query.data.nextCursor}
                noun={noun}
              />
            )}
          </>
        )}
      </Box>
      {children}
    </Paper>
  );
}
