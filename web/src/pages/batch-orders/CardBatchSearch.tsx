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

/**
 * What the operator chose: cards ticked by hand (kept across pages and searches), or every card
 * matching one search less the ones unticked since ("all N matching except these").
 */
export type CardSelection =
  | { kind: "ids"; cards: Card[]; count: number }
  | { kind: "filter"; filter: CardFilter; total: number; excluded: Card[]; count: number };

/**
 * "3 cards", "all 84 matching cards", "83 cards: all 84 matching but 1". `of` qualifies the cards
 * ("of 2 templates") and stands before the colon, so that it cannot be read as qualifying the ones left out.
 */
export function describeSelection(selection: CardSelection, noun = "card", of = ""): string {
  if (selection.kind === "ids") return `${plural(selection.count, noun)}${of}`;
  const unticked = selection.excluded.length;
  if (unticked === 0)
    return selection.total === 1
      ? `the one matching ${noun}${of}`
      : `all ${formatNumber(selection.total)} matching ${noun}s${of}`;
  return `${plural(selection.count, noun)}${of}: all ${formatNumber(selection.total)} matching but ${formatNumber(unticked)}`;
}

/** What the selection bar says: "3 cards selected", "83 cards selected: all 84 matching but 1". */
function summaryOf(selection: CardSelection | undefined, noun: string, ofAnotherSearch: boolean): string {
  if (!selection) return `No ${noun} selected`;
  if (selection.kind === "ids") return `${plural(selection.count, noun)} selected`;
  const { total, excluded, count } = selection;
  const matching = ofAnotherSearch ? "matching an earlier search" : "matching";
  if (excluded.length > 0)
    return `${plural(count, noun)} selected: all ${formatNumber(total)} ${matching} but ${formatNumber(excluded.length)}`;
  if (total === 1)
    return ofAnotherSearch
      ? `The one ${noun} matching an earlier search is selected`
      : `The one matching ${noun} is selected`;
  return ofAnotherSearch
    ? `All ${formatNumber(total)} ${noun}s matching an earlier search selected`
    : `All ${formatNumber(total)} matching ${noun}s selected`;
}

/** The same criteria, whatever the order of their keys. */
function isSameFilter(a: CardFilter, b: CardFilter): boolean {
  const key = (filter: CardFilter) =>
    JSON.stringify(Object.entries(filter).sort(([x], [y]) => x.localeCompare(y)));
  return key(a) === key(b);
}

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
  // The API's order for a card search: oldest request first.
  order: { by: "requestedAt", direction: "asc" },
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
  // "Select all N matching" makes the batch of all N, so N is exact, and it is what an order of
  // this search takes: the cards no running batch holds (listed, but they cannot be ticked).
  const takeable = useCards(
    { ...filter, state, unclaimed: "true", limit: 1, total: "exact" },
    { enabled: searched && selectAll },
  );
  const total = takeable.data?.total ?? 0;

  function searchCards() {
    // A new search keeps what was picked: the bar says how many, and Clear selection empties it.
    const unchanged = (Object.keys(form) as (keyof typeof form)[]).every(
      (key) => key === "state" || form[key].trim() === values[key],
    );
    apply({ ...form, state: "" }, { searched: "1" });
    // The same criteria again: the URL does not change, so ask the server anew for fresh results.
    if (searched && unchanged) {
      void cards.refetch();
      void takeable.refetch();
    }
  }

  const picked = new Map(selection?.kind === "ids" ? selection.cards.map((c) => [c.id, c]) : []);
  const all = selection?.kind === "filter" ? selection : undefined;
  const excluded = new Map(all?.excluded.map((c) => [c.id, c]));
  // "All N matching" stands for the search it was chosen on; another search's rows cannot be
  // told apart from it card by card, so they wait until it is cleared (or that search is back).
  const allOfThisSearch = all !== undefined && isSameFilter(all.filter, filter);
  const allOfAnother = all !== undefined && !allOfThisSearch;
  const disabledReason = (card: Card) =>
    heldReason(card) ??
    (allOfAnother
      ? "All cards matching an earlier search are selected: clear that selection first"
      : undefined);
  const isSelected = (card: Card) =>
    !disabledReason(card) && (allOfThisSearch ? !excluded.has(card.id) : picked.has(card.id));

  function setPicked(next: Map<string, Card>) {
    const list = [...next.values()];
    onSelectionChange(list.length ? { kind: "ids", cards: list, count: list.length } : undefined);
  }
  function setExcluded(next: Map<string, Card>) {
    if (!all) return;
    const list = [...next.values()];
    const count = Math.max(all.total - list.length, 0);
    onSelectionChange(count > 0 ? { ...all, excluded: list, count } : undefined);
  }
  /** Ticks (or unticks) cards: by hand they join (or leave) the picks; under "all matching" they leave (or rejoin) it. */
  function tick(cardsToTick: Card[], on: boolean) {
    const tickable = cardsToTick.filter((card) => !disabledReason(card));
    if (tickable.length === 0) return;
    const next = new Map(allOfThisSearch ? excluded : picked);
    for (const card of tickable) {
      if (on === allOfThisSearch) next.delete(card.id);
      else next.set(card.id, card);
    }
    if (allOfThisSearch) setExcluded(next);
    else setPicked(next);
  }
  function selectAllMatching() {
    onSelectionChange({ kind: "filter", filter, total, excluded: [], count: total });
  }
  function showSearchOfSelection() {
    if (all) apply({ ...all.filter }, { searched: "1" });
  }
  const count = selection?.count ?? 0;
  const tickableOnPage = page.filter((card) => !heldReason(card)).length;

  return (
    <SearchTable
      filters={<CardFilters search={search} onSearch={searchCards} withState={false} />}
      toolbar={
        <SelectionBar active={count > 0} summary={summaryOf(selection, noun, allOfAnother)} actions={footer}>
          {selectAll && searched && takeable.data && !allOfThisSearch && total > tickableOnPage && (
            <Anchor component="button" type="button" size="sm" fw={500} onClick={selectAllMatching}>
              {allOfAnother || picked.size > 0
                ? `Select all ${formatNumber(total)} matching instead`
                : `Select all ${formatNumber(total)} matching`}
            </Anchor>
          )}
          {allOfAnother && (
            <Anchor component="button" type="button" size="sm" onClick={showSearchOfSelection}>
              Show the search they match
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
        onToggle: (card, on) => tick([card], on),
        onTogglePage: (on) => tick(page, on),
        rowLabel: cardRowLabel,
        disabledReason,
        toggleOnRowClick: true,
      }}
    />
  );
}
