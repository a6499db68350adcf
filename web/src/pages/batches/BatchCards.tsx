import { Anchor, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../../api/client";
import type { Batch, BatchDetail, BatchItem } from "../../api/types";
import type { Column } from "../../components/DataTable";
import { useCursorPages } from "../../components/Pager";
import { SearchTable, type TableSpec } from "../../components/SearchTable";
import { type BatchWords, batchWords, productionEnded } from "./batch-parts";

/** A card's result in its batch, in the words of what the batch does. */
function itemStateLabels(words: BatchWords): Record<string, { label: string; color?: string }> {
  return {
    pending: { label: words.pendingLabel },
    done: { label: words.doneLabel, color: "#185c2d" },
    failed: { label: "Failed", color: "#951b1b" },
    released: { label: "Returned to approved" },
  };
}

/** The card of a batch's item, linked, and its holder: what every list of a batch's cards starts with. */
export const itemCardColumns: Column<BatchItem>[] = [
  {
    header: "Card",
    cell: (item) => (
      <Anchor component={Link} to={`/cards/${item.cardId}`} className="mono">
        {item.cardNumber}
      </Anchor>
    ),
  },
  { header: "Holder", cell: (item) => item.holderName },
];

/** The chip each card went to, for a batch with chip cards. */
const chipColumn: Column<BatchItem> = {
  header: "Chip serial",
  cell: (item) =>
    item.tokenSerial ? (
      <Text span size="sm" className="mono">
        {item.tokenSerial}
      </Text>
    ) : (
      <Text span size="sm" c="dimmed">
        {item.state === "done" ? "Software token" : "—"}
      </Text>
    ),
};

const cardsTable = (chips: boolean, words: BatchWords): TableSpec<BatchItem> => ({
  label: "Cards of the batch",
  minWidth: 560,
  rowKey: (item) => item.cardId,
  noun: ["card", "cards"],
  empty: "No card in this batch.",
  columns: [
    { header: "#", className: "num", cell: (item) => item.seq },
    ...itemCardColumns.slice(0, 1),
    ...(chips ? [chipColumn] : []),
    ...itemCardColumns.slice(1),
    {
      header: "In this batch",
      cell: (item) => {
        const state = itemStateLabels(words)[item.state] ?? { label: item.state };
        return (
          <>
            <Text span size="sm" fw={state.color ? 600 : undefined} style={{ color: state.color }}>
              {state.label}
            </Text>
            {/* Why it failed, or why it came back (a card still waiting for a blank card at a cancel). */}
            {(item.state === "failed" || item.state === "released") && (item.reason ?? item.code) && (
              <Text size="xs" c="dimmed" className="wrap">
                {item.reason ?? item.code}
              </Text>
            )}
          </>
        );
      },
    },
  ],
});

/**
 * Every card of the batch, in the order it was produced (paged as the API pages them), with
 * its result and a link to the card. Follows the batch while its production goes on.
 */
export function BatchCards({ batch }: { batch: Batch }) {
  const pages = useCursorPages(25);
  // The batch's read (followed by the page) says when its cards moved: read them again then.
  const progress = [batch.state, batch.done, batch.failed, batch.released, productionEnded(batch)];
  const items = useQuery({
    queryKey: ["batch", batch.id, "items", pages.page, progress],
    queryFn: ({ signal }) =>
      api.get<BatchDetail>(withQuery(`/api/v1/batches/${encodeURIComponent(batch.id)}`, pages.page), signal),
    placeholderData: keepPreviousData,
  });
  return (
    <SearchTable
      padding="lg"
      filters={
        <Title order={2} fz="md">
          Cards of the batch
        </Title>
      }
      spec={cardsTable(Boolean(items.data?.items.some((item) => item.tokenSerial)), batchWords(batch))}
      query={items}
      pager={pages}
    />
  );
}
