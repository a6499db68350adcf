import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import { withQuery } from "../../api/client";
import type { Card } from "../../api/types";
import { useOperator } from "../../auth/session";
import { BatchLink } from "../../components/BatchLink";
import { CardFilters, cardListFilterKeys } from "../../components/CardFilters";
import { cardColumns } from "../../components/card-columns";
import { DownloadButton } from "../../components/DownloadButton";
import { formatDate } from "../../components/format";
import { SearchPage } from "../../components/SearchPage";
import type { TableSpec } from "../../components/SearchTable";
import { compact, useUrlFilters } from "../../components/url-filters";
import { cardExportRoles } from "../../domain";

const table: TableSpec<Card> = {
  minWidth: 900,
  noun: ["card", "cards"],
  empty: "No card matches these criteria.",
  order: { by: "requestedAt", direction: "asc" },
  columns: [
    ...cardColumns((card) => (
      <Anchor component={Link} to={`/users/${card.userId}`} c="inherit">
        {card.holderName}
      </Anchor>
    )),
    { header: "Expires", cell: (card) => formatDate(card.expiresAt) },
    {
      header: "Batch",
      // The running batch that holds the card, else the one that last took it.
      cell: (card) =>
        (card.batchId ?? card.lastBatchId) ? (
          <BatchLink id={(card.batchId ?? card.lastBatchId)!} number={card.batchNumber} />
        ) : (
          <Text span c="dimmed" size="sm">
            —
          </Text>
        ),
    },
  ],
};

/** The current search (as the URL keeps it) as a CSV file, for a mail merge. */
function ExportCsvButton() {
  const { values } = useUrlFilters(cardListFilterKeys);
  return (
    <DownloadButton href={withQuery("/api/v1/cards/export.csv", compact(values))}>Export CSV</DownloadButton>
  );
}

export default function CardsPage() {
  const operator = useOperator();
  return (
    <SearchPage
      title="Cards"
      description="Every card in every state. Open a card to see its certificates, its history and what can be done with it now."
      resource={["cards", "/api/v1/cards"]}
      actions={operator.has(cardExportRoles) ? <ExportCsvButton /> : undefined}
      filterKeys={cardListFilterKeys}
      filters={(search) => <CardFilters search={search} />}
      spec={table}
    />
  );
}
