import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Card } from "../../api/types";
import { CardFilters, cardFilterKeys } from "../../components/CardFilters";
import { cardColumns } from "../../components/card-columns";
import { formatDate, shortId } from "../../components/format";
import { SearchPage } from "../../components/SearchPage";
import type { TableSpec } from "../../components/SearchTable";

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
  return (
    <SearchPage
      title="Cards"
      description="Every card in every state. Open a card to see its certificates, its history and what can be done with it now."
      resource={["cards", "/api/v1/cards"]}
      filterKeys={cardFilterKeys}
      filters={(search) => <CardFilters search={search} />}
      spec={table}
    />
  );
}
