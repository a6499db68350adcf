import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import { useCards } from "../../api/queries";
import type { Card } from "../../api/types";
import { CardFilters, cardFilterKeys } from "../../components/CardFilters";
import { cardColumns } from "../../components/card-columns";
import { formatDate, shortId } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { SearchTable, type TableSpec } from "../../components/SearchTable";
import { useSearchForm } from "../../components/url-filters";

const table: TableSpec<Card> = {
  minWidth: 900,
  noun: ["card", "cards"],
  empty: "No card matches these criteria.",
  columns: [
    ...cardColumns((card) => (
      <Anchor component={Link} to={`/users/${card.userId}`} c="inherit">
        {card.holderName}
      </Anchor>
    )),
    { header: "Expires", cell: (card) => formatDate(card.expiresAt) },
    {
      header: "Batch",
      cell: (card) =>
        card.batchId ? (
          <Anchor component={Link} to={`/batches/${card.batchId}`} className="mono" size="sm">
            {shortId(card.batchId)}
          </Anchor>
        ) : (
          <Text span c="dimmed" size="sm">
            —
          </Text>
        ),
    },
  ],
};

export default function CardsPage() {
  const search = useSearchForm(cardFilterKeys);
  const cards = useCards(search.query);

  return (
    <>
      <PageHeader
        title="Cards"
        description="Every card in every state. Open a card to see its certificates, its history and what can be done with it now."
      />
      <SearchTable
        spec={table}
        query={cards}
        pager={search.pages}
        filters={<CardFilters search={search} />}
      />
    </>
  );
}
