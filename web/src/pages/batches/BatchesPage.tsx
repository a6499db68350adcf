import { Anchor, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Batch } from "../../api/types";
import { batchName } from "../../components/BatchLink";
import type { Column } from "../../components/DataTable";
import { formatDateTime, formatNumber } from "../../components/format";
import { SearchPage } from "../../components/SearchPage";
import { choiceField, SearchFilters, type TableSpec } from "../../components/SearchTable";
import { findProcess } from "../../domain";
import { BatchDownloads, BatchStateBadge, optionsText, productionEnded } from "./batch-parts";

const count = (key: "total" | "done" | "left"): Column<Batch> => ({
  header: key[0]!.toUpperCase() + key.slice(1),
  className: "num",
  cell: (batch) => formatNumber(batch[key]),
});

const filterKeys = ["state", "pinLetters"] as const;
const fields = [
  choiceField("state", "State", 170, "Any state", [
    { value: "running", label: "Running" },
    { value: "completed", label: "Completed" },
    { value: "cancelled", label: "Cancelled" },
  ]),
  choiceField("pinLetters", "PIN letters", 170, "Kept or not", [
    { value: "kept", label: "Kept (to send)" },
    { value: "purged", label: "Purged" },
  ]),
];

const table: TableSpec<Batch> = {
  label: "Batch orders",
  minWidth: 1000,
  noun: ["batch", "batches"],
  empty: "No batch order has run yet.",
  missing: "Batch orders are not offered by this Tessera server yet.",
  order: { by: "createdAt", direction: "desc" },
  columns: [
    {
      header: "Batch order",
      cell: (batch) => (
        <>
          <Anchor component={Link} to={`/batches/${batch.id}`} fw={500}>
            {findProcess(batch.process)?.name ?? batch.process}
          </Anchor>
          <Text size="xs" c="dimmed">
            {batchName(batch)}
          </Text>
        </>
      ),
    },
    { header: "State", cell: (batch) => <BatchStateBadge batch={batch} /> },
    count("total"),
    count("done"),
    {
      header: "Failed",
      className: "num",
      cell: (batch) =>
        batch.failed > 0 ? (
          <Text span c="red.8" fw={600} size="sm">
            {formatNumber(batch.failed)}
          </Text>
        ) : (
          "0"
        ),
    },
    count("left"),
    {
      header: "Options",
      className: "wrap",
      td: { miw: 170 },
      cell: (batch) => (
        <Text size="xs" c="dimmed" maw={220}>
          {optionsText(batch.options)}
        </Text>
      ),
    },
    { header: "Started by", cell: (batch) => batch.createdByName },
    { header: "Started", sortKey: "createdAt", cell: (batch) => formatDateTime(batch.createdAt) },
    {
      header: "Files",
      cell: (batch) => (
        <Stack gap={0}>
          <BatchDownloads batch={batch} compact />
        </Stack>
      ),
    },
  ],
};

export default function BatchesPage() {
  return (
    <SearchPage
      title="Batches"
      description="Every batch order with its options, who started it, its totals and its files."
      resource={["batches", "/api/v1/batches"]}
      filterKeys={filterKeys}
      filters={(search) => <SearchFilters label="Search batches" fields={fields} search={search} />}
      spec={table}
      // Follow while any batch on the page is still producing (a cancelled one finishes its chunks in work).
      options={{
        refetchInterval: (query) => (query.state.data?.items.some((b) => !productionEnded(b)) ? 2000 : false),
      }}
    />
  );
}
