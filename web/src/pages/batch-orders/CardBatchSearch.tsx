import { Anchor } from "@mantine/core";
import type { ReactNode } from "react";
import { useCards } from "../../api/queries";
import type { Card, CardFilter } from "../../api/types";
import { CardFilters, cardFilterKeys, cardListFilterKeys } from "../../components/CardFilters";
import { cardColumn, cardRowLabel, selectableCardColumns } from "../../components/card-columns";
import { EmptyNote } from "../../components/ErrorAlert";
import { formatNumber, plural } from "../../components/format";
import { SearchTable, type TableSpec } from "../../components/SearchTable";
import { SelectionBar } from "../../components/SelectionBar";
import { compact, useSearchForm } from "../../components/url-filters";

/** What the operator chose: ticked cards, or every card matching the search. */
export type CardSelection =
  | { kind: "ids"; cards: Card[]; count: number }
  | { kind: "filter"; filter: CardFilter; count: number };

// A card another batch holds is shown but cannot be ticked: that batch will produce it.
const heldReason = (card: Card) => (card.batchId ? "Held by a running batch" : undefined);
const columns = selectableCardColumns(heldReason);
// Cards chosen by their end (renewal) show it where the others show when they were requested.
const expiryColumns = [...columns.slice(0, -1), cardColumn.expires];
const specOf = (state: Props["state"], withExpiry: boolean): TableSpec<Card> => ({
  label: `${state} cards`,
  minWidth: 820,
  noun: [`${state} card`, `${state} cards`],
  empty: `No ${state} card matches these criteria.`,
  columns: withExpiry ? expiryColumns : columns,
});

interface Props {
  /** The one state a batch order acts on (approved for Issue, issued for Activate, active for Renew). */
  state: "approved" | "issued" | "active";
  /** Offer the "Expires before" criterion (Renew multiple cards). */
  withExpiry?: boolean;
  /** Offer "select all N matching" (an order that takes the search's criteria). */
  selectAll?: boolean;
  noun: string;
  selection: CardSelection | undefined;
  onSelectionChange(selection: CardSelection | undefined): void;
  /** The action buttons under the results (Cancel, the action). */
  footer: ReactNode;
}

/**
 * The seed's first steps: search criteria and **Search** list the cards in one state; a check box
 * per row, "select page", "select all N matching", and a count of what is selected.
 */
export function CardBatchSearch({
  state,
  noun,
  selection,
  onSelectionChange,
  footer,
  withExpiry = false,
  selectAll = true,
}: Props) {
  const search = useSearchForm(withExpiry ? cardListFilterKeys : cardFilterKeys);
  const { values, apply, params, form, pages } = search;
  const searched = params.get("searched") === "1";
  const filter: CardFilter = compact({ ...values, state: "" });
  const cards = useCards({ ...filter, state, ...pages.page }, { enabled: searched });
  const page = cards.data?.items ?? [];
  const total = cards.data?.total ?? 0;

  function searchCards() {
    onSelectionChange(undefined);
    const unchanged = (Object.keys(form) as (keyof typeof form)[]).every(
      (key) => key === "state" || form[key].trim() === values[key],
    );
    apply({ ...form, state: "" }, { searched: "1" });
    // The same criteria again: the URL does not change, so ask the server anew for fresh results.
    if (searched && unchanged) void cards.refetch();
  }

  const selectedIds = new Set(selection?.kind === "ids" ? selection.cards.map((c) => c.id) : []);
  const isAll = selection?.kind === "filter";
  const isSelected = (card: Card) => !heldReason(card) && (isAll || selectedIds.has(card.id));

  function setIds(cardsById: Map<string, Card>) {
    const list = [...cardsById.values()];
    onSelectionChange(list.length ? { kind: "ids", cards: list, count: list.length } : undefined);
  }
  function currentIds(): Map<string, Card> {
    // Unticking one row after "select all N matching" keeps this page's other rows ticked.
    if (isAll) return new Map(page.filter((c) => !heldReason(c)).map((c) => [c.id, c]));
    return new Map(selection?.kind === "ids" ? selection.cards.map((c) => [c.id, c]) : []);
  }
  function toggle(card: Card, on: boolean) {
    const ids = currentIds();
    if (on) ids.set(card.id, card);
    else ids.delete(card.id);
    setIds(ids);
  }
  function togglePage(on: boolean) {
    if (!on && isAll) return onSelectionChange(undefined);
    const ids = currentIds();
    for (const card of page) {
      if (heldReason(card)) continue;
      if (on) ids.set(card.id, card);
      else ids.delete(card.id);
    }
    setIds(ids);
  }
  const count = selection?.count ?? 0;

  return (
    <SearchTable
      filters={<CardFilters search={search} onSearch={searchCards} withState={false} />}
      toolbar={
        <SelectionBar
          active={count > 0}
          summary={
            count === 0
              ? `No ${noun} selected`
              : isAll
                ? count === 1
                  ? `The one matching ${noun} is selected`
                  : `All ${formatNumber(count)} matching ${noun}s selected`
                : `${plural(count, noun)} selected`
          }
          actions={footer}
        >
          {selectAll && searched && cards.data && !isAll && total > page.length && (
            <Anchor
              component="button"
              type="button"
              size="sm"
              fw={500}
              onClick={() => onSelectionChange({ kind: "filter", filter, count: total })}
            >
              Select all {formatNumber(total)} matching
            </Anchor>
          )}
          {count > 0 && (
            <Anchor
              component="button"
              type="button"
              size="sm"
              c="dimmed"
              onClick={() => onSelectionChange(undefined)}
            >
              Clear selection
            </Anchor>
          )}
        </SelectionBar>
      }
      idle={
        searched ? undefined : (
          <EmptyNote>
            Click <b>Search</b> to list all {state} cards, or narrow the list with the criteria first.
          </EmptyNote>
        )
      }
      spec={specOf(state, withExpiry)}
      query={cards}
      pager={pages}
      selection={{
        isSelected,
        onToggle: toggle,
        onTogglePage: togglePage,
        rowLabel: cardRowLabel,
        disabledReason: heldReason,
      }}
    />
  );
}
