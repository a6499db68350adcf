import { Anchor, Group, Paper, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useCards } from "../../api/queries";
import type { Card, CardFilter } from "../../api/types";
import { CardFilters, cardFilterKeys } from "../../components/CardFilters";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatNumber, plural } from "../../components/format";
import { Pager } from "../../components/Pager";
import { SelectableCardTable } from "../../components/SelectableCardTable";
import { compact, useSearchForm } from "../../components/url-filters";

/** What the operator chose: ticked cards, or every card matching the search. */
export type CardSelection =
  | { kind: "ids"; cards: Card[]; count: number }
  | { kind: "filter"; filter: CardFilter; count: number };

const pageSize = 50;

interface Props {
  /** The one state a batch order acts on (approved for Issue, issued for Activate). */
  state: "approved" | "issued";
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
export function CardBatchSearch({ state, noun, selection, onSelectionChange, footer }: Props) {
  const { values, apply, params, form, setForm, pages } = useSearchForm(cardFilterKeys);
  const searched = params.get("searched") === "1";
  const filter: CardFilter = compact({ ...values, state: "" });
  const cards = useCards({ ...filter, state, cursor: pages.cursor, limit: pageSize }, { enabled: searched });
  const page = cards.data?.items ?? [];
  const total = cards.data?.total ?? 0;

  function search() {
    onSelectionChange(undefined);
    const unchanged = cardFilterKeys.every((key) => key === "state" || form[key].trim() === values[key]);
    apply({ ...form, state: "" }, { searched: "1" });
    // The same criteria again: the URL does not change, so ask the server anew for fresh results.
    if (searched && unchanged) void cards.refetch();
  }

  const selectedIds = new Set(selection?.kind === "ids" ? selection.cards.map((c) => c.id) : []);
  const isAll = selection?.kind === "filter";
  // A card another batch holds is shown but cannot be ticked: that batch will produce it.
  const heldReason = (card: Card) => (card.batchId ? "Held by a running batch" : undefined);
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
    <Paper p="md">
      <CardFilters value={form} onChange={setForm} onSearch={search} withState={false} />
      {/* The count and the actions stay in view while the operator scrolls through the results. */}
      <Group
        justify="space-between"
        mt="md"
        mb="xs"
        px="sm"
        py={8}
        gap="sm"
        style={{
          position: "sticky",
          top: "var(--app-shell-header-height, 56px)",
          zIndex: 3,
          background: count ? "var(--mantine-color-tessera-0)" : "#f3f5f8",
          border: `1px solid ${count ? "var(--mantine-color-tessera-2)" : "var(--mantine-color-gray-2)"}`,
          borderRadius: 6,
        }}
      >
        <Group gap="md">
          <Text size="sm" fw={600} aria-live="polite" data-testid="selection-count">
            {count === 0
              ? `No ${noun} selected`
              : isAll
                ? count === 1
                  ? `The one matching ${noun} is selected`
                  : `All ${formatNumber(count)} matching ${noun}s selected`
                : `${plural(count, noun)} selected`}
          </Text>
          {searched && cards.data && !isAll && total > page.length && (
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
        </Group>
        <Group gap="xs">{footer}</Group>
      </Group>
      {!searched && (
        <EmptyNote>
          Click <b>Search</b> to list all {state} cards, or narrow the list with the criteria first.
        </EmptyNote>
      )}
      {searched && cards.error && <ErrorAlert error={cards.error} onRetry={() => cards.refetch()} />}
      {searched && cards.isPending && <Loading label={`Searching ${state} cards…`} />}
      {searched && cards.data && total === 0 && (
        <EmptyNote>No {state} card matches these criteria.</EmptyNote>
      )}
      {searched && cards.data && total > 0 && (
        <>
          <SelectableCardTable
            label={`${state} cards`}
            cards={page}
            isSelected={isSelected}
            onToggle={toggle}
            onTogglePage={togglePage}
            disabledReason={heldReason}
            dimmed={cards.isPlaceholderData}
          />
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={page.length}
            total={total}
            nextCursor={cards.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={[`${state} card`, `${state} cards`]}
          />
        </>
      )}
    </Paper>
  );
}
