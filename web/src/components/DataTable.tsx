import { Button, Checkbox, Table, type TableTdProps, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowsSort, IconArrowUp } from "@tabler/icons-react";
import {
  type CSSProperties,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
} from "react";

/** One column of a {@link DataTable}: its header and how a row fills its cell. */
export interface Column<T> {
  header: ReactNode;
  /**
   * The header as plain words, written before the value when a phone shows each row as a block of
   * "label: value" lines; by default the header itself when it is a string.
   */
  label?: string;
  cell(row: T): ReactNode;
  /** `num` right-aligns figures; `wrap` lets long text break. */
  className?: string;
  /** Props of the cell (width, white space…), the same for every row. */
  td?: TableTdProps;
  /** The list's sort field this column shows (the API's `sort` value), when it can be sorted by it. */
  sortKey?: string;
}

/**
 * The order a list is shown in: always visible in the header of the column it follows (an
 * arrow), and changed by a click on a sortable header where the list can be sorted (`onSort`).
 */
export interface TableSort {
  by: string;
  direction: "asc" | "desc";
  onSort?(by: string): void;
}

/** The last column: what can be done with a row (its header is read out, not shown). */
export function actionsColumn<T>(cell: (row: T) => ReactNode): Column<T> {
  return { header: <span className="sr-only">Actions</span>, cell };
}

/** A quiet button in a row; `label` names it with its row ("Edit alice") for screen readers. */
export function RowButton({
  label,
  onClick,
  children,
  color,
}: {
  label: string;
  onClick(): void;
  children: ReactNode;
  color?: string;
}) {
  return (
    <Button size="compact-sm" variant="subtle" color={color} onClick={onClick} aria-label={label}>
      {children}
    </Button>
  );
}

/** A check box per row and "Select page" in the header. */
export interface RowSelection<T> {
  isSelected(row: T): boolean;
  onToggle(row: T, selected: boolean): void;
  onTogglePage(selected: boolean): void;
  /** The accessible name of a row's check box, e.g. "Select card 1234 of Ada Lovelace". */
  rowLabel(row: T): string;
  /** Why a row cannot be ticked (e.g. your own request, four eyes); undefined when it can. */
  disabledReason?(row: T): string | undefined;
  /**
   * A click anywhere on the row (not on its links or buttons) toggles its tick: a wide target for
   * the mouse. The row's check box stays the keyboard's way (Tab to it, Space).
   */
  toggleOnRowClick?: boolean;
}

/** Whether a click landed on something of its own (a link, a button, the check box itself). */
function isOnControl(event: MouseEvent<HTMLElement>): boolean {
  const target = event.target as HTMLElement;
  return Boolean(target.closest("a, button, input, label, select, textarea, [role='button']"));
}

export interface DataTableProps<T> {
  /** The table's accessible name. */
  label: string;
  rows: T[];
  rowKey(row: T): string | number;
  columns: Column<T>[];
  /**
   * Below this width the table scrolls sideways instead of squeezing (a narrow desktop window);
   * on a phone the rows are stacked instead, each a block of "label: value" lines (app.css).
   */
  minWidth: number;
  /** Shown while a new page loads over the old one. */
  dimmed?: boolean;
  selection?: RowSelection<T>;
  sort?: TableSort;
}

/** The header of a column: its order shown by an arrow, and a button where it can be sorted by. */
function HeaderCell<T>({ column, sort }: { column: Column<T>; sort: TableSort | undefined }) {
  const key = column.sortKey;
  if (!key || !sort) return <>{column.header}</>;
  const isSorted = sort.by === key;
  const Arrow = !isSorted ? IconArrowsSort : sort.direction === "asc" ? IconArrowUp : IconArrowDown;
  const arrow = (
    <Arrow
      size={14}
      aria-hidden
      style={{ opacity: isSorted ? 1 : 0.45, verticalAlign: "-2px", marginLeft: 4 }}
    />
  );
  if (!sort.onSort)
    return isSorted ? (
      <>
        {column.header}
        {arrow}
      </>
    ) : (
      column.header
    );
  const words = labelOf(column) ?? key;
  return (
    <UnstyledButton
      className="sort-button"
      onClick={() => sort.onSort!(key)}
      title={
        isSorted
          ? `Sorted by ${words.toLowerCase()}, ${sort.direction === "asc" ? "ascending" : "descending"}: click to reverse`
          : `Sort by ${words.toLowerCase()}`
      }
    >
      {column.header}
      {arrow}
    </UnstyledButton>
  );
}

const ariaSortOf = (column: Column<unknown>, sort: TableSort | undefined) =>
  column.sortKey && sort
    ? sort.by === column.sortKey
      ? sort.direction === "asc"
        ? ("ascending" as const)
        : ("descending" as const)
      : sort.onSort
        ? ("none" as const)
        : undefined
    : undefined;

/**
 * Whether the table is wider than its box. Only then does the box scroll sideways: a box that
 * scrolls holds sticky headers inside it, so while the table fits the box does not scroll and
 * the header row stays under the page's top bar as the page scrolls.
 */
function useOverflowing() {
  const box = useRef<HTMLDivElement>(null);
  const [overflowing, setOverflowing] = useState(false);
  useLayoutEffect(() => {
    const element = box.current;
    const table = element?.firstElementChild;
    if (!element || !table) return;
    const check = () => setOverflowing(table.scrollWidth > element.clientWidth + 1);
    const observer = new ResizeObserver(check);
    observer.observe(element);
    observer.observe(table);
    check();
    return () => observer.disconnect();
  }, []);
  return { box, overflowing };
}

/** The operator UI's table: the same look, scrolling and selection on every list page. */
export function DataTable<T>({
  label,
  rows,
  rowKey,
  columns,
  minWidth,
  dimmed,
  selection,
  sort,
}: DataTableProps<T>) {
  const { box, overflowing } = useOverflowing();
  const selectable = selection ? rows.filter((row) => !selection.disabledReason?.(row)) : [];
  const selectedOnPage = selection ? selectable.filter(selection.isSelected).length : 0;
  const allOnPage = selectable.length > 0 && selectedOnPage === selectable.length;
  // The roles are spelt out because a phone lays the table out as blocks (display: block), which
  // would otherwise drop its table semantics: rows and cells stay rows and cells for screen readers.
  return (
    <div
      ref={box}
      className={overflowing ? "data-table-scroll" : "data-table-scroll data-table-fits"}
      style={{ "--data-table-min-width": `${minWidth}px` } as CSSProperties}
    >
      <Table
        className="data-table"
        role="table"
        aria-label={label}
        style={dimmed ? { opacity: 0.6 } : undefined}
      >
        <Table.Thead role="rowgroup">
          <Table.Tr role="row">
            {selection && (
              <Table.Th w={44} role="columnheader" className="select">
                <Checkbox
                  aria-label="Select page"
                  checked={allOnPage}
                  indeterminate={selectedOnPage > 0 && !allOnPage}
                  onChange={(event) => selection.onTogglePage(event.currentTarget.checked)}
                  disabled={selectable.length === 0}
                />
              </Table.Th>
            )}
            {columns.map((column, index) => (
              <Table.Th
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed per table
                key={index}
                className={column.className}
                role="columnheader"
                aria-sort={ariaSortOf(column as Column<unknown>, sort)}
              >
                <HeaderCell column={column} sort={sort} />
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody role="rowgroup">
          {rows.map((row) => {
            const reason = selection?.disabledReason?.(row);
            const selected = selection ? !reason && selection.isSelected(row) : undefined;
            const clickable = Boolean(selection?.toggleOnRowClick && !reason);
            return (
              <Table.Tr
                key={rowKey(row)}
                role="row"
                data-selected={selected}
                // The row's check box is its keyboard control; the click is a wider target for the mouse.
                onClick={
                  clickable
                    ? (event) => {
                        // Selecting text in a row is not a click on it.
                        if (isOnControl(event) || window.getSelection()?.toString()) return;
                        selection!.onToggle(row, !selected);
                      }
                    : undefined
                }
                style={clickable ? { cursor: "pointer" } : undefined}
              >
                {selection && (
                  <Table.Td role="cell" className="select">
                    <Checkbox
                      aria-label={selection.rowLabel(row)}
                      checked={selected}
                      disabled={Boolean(reason)}
                      title={reason}
                      onChange={(event) => selection.onToggle(row, event.currentTarget.checked)}
                    />
                  </Table.Td>
                )}
                {columns.map((column, index) => (
                  <Table.Td
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed per table
                    key={index}
                    role="cell"
                    className={column.className}
                    data-label={labelOf(column)}
                    {...column.td}
                  >
                    {/* One box for the value, beside its label when a phone stacks the row. */}
                    <div className="data-table-value">{column.cell(row)}</div>
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function labelOf<T>(column: Column<T>): string | undefined {
  return column.label ?? (typeof column.header === "string" ? column.header : undefined);
}

/**
 * Rows ticked across pages, kept by key: what a table with {@link RowSelection} needs for a
 * selection the operator builds by hand.
 */
export function usePickedRows<T>(keyOf: (row: T) => string) {
  const [picked, setPicked] = useState<ReadonlyMap<string, T>>(new Map());
  const clear = useCallback(() => setPicked(new Map()), []);
  function pick(rows: T[], on: boolean) {
    setPicked((current) => {
      const next = new Map(current);
      for (const row of rows) {
        if (on) next.set(keyOf(row), row);
        else next.delete(keyOf(row));
      }
      return next;
    });
  }
  /** The selection of one page of `rows`: rows with a `disabledReason` are never ticked. */
  function selectionOf(
    rows: T[],
    rowLabel: (row: T) => string,
    disabledReason?: (row: T) => string | undefined,
  ): RowSelection<T> {
    return {
      isSelected: (row) => picked.has(keyOf(row)),
      onToggle: (row, on) => pick([row], on),
      onTogglePage: (on) => pick(disabledReason ? rows.filter((row) => !disabledReason(row)) : rows, on),
      rowLabel,
      disabledReason,
    };
  }
  return { picked: [...picked.values()], clear, selectionOf };
}
