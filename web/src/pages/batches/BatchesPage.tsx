import { Anchor, Paper, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../../api/client";
import type { Page } from "../../api/types";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber, shortId } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { Pager, useCursorPages } from "../../components/Pager";
import { findProcess } from "../../domain";
import { BatchDownloads, type BatchRead, BatchStateBadge, optionsText, productionEnded } from "./batch-parts";

const pageSize = 50;

export default function BatchesPage() {
  const pages = useCursorPages();
  const batches = useQuery({
    queryKey: ["batches", { cursor: pages.cursor, limit: pageSize }],
    queryFn: ({ signal }) =>
      api.get<Page<BatchRead>>(
        withQuery("/api/v1/batches", { cursor: pages.cursor, limit: pageSize }),
        signal,
      ),
    // Follow while any batch on the page is still producing (a cancelled one finishes its chunks in work).
    refetchInterval: (query) => (query.state.data?.items.some((b) => !productionEnded(b)) ? 2000 : false),
  });
  return (
    <>
      <PageHeader
        title="Batches"
        description="Every batch order with its options, who started it, its totals and its files."
      />
      <Paper p="md">
        {batches.error && (
          <ErrorAlert
            error={batches.error}
            missing="Batch orders are not offered by this Tessera server yet."
          />
        )}
        {batches.isPending && <Loading label="Loading batches…" />}
        {batches.data && batches.data.items.length === 0 && (
          <EmptyNote>No batch order has run yet.</EmptyNote>
        )}
        {batches.data && batches.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={1000}>
            <Table className="data-table" aria-label="Batch orders">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Batch order</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th className="num">Total</Table.Th>
                  <Table.Th className="num">Done</Table.Th>
                  <Table.Th className="num">Failed</Table.Th>
                  <Table.Th className="num">Left</Table.Th>
                  <Table.Th>Options</Table.Th>
                  <Table.Th>Started by</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Files</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {batches.data.items.map((batch) => (
                  <Table.Tr key={batch.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/batches/${batch.id}`} fw={500}>
                        {findProcess(batch.process)?.name ?? batch.process}
                      </Anchor>
                      <Text size="xs" c="dimmed" className="mono">
                        {shortId(batch.id)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <BatchStateBadge batch={batch} />
                    </Table.Td>
                    <Table.Td className="num">{formatNumber(batch.total)}</Table.Td>
                    <Table.Td className="num">{formatNumber(batch.done)}</Table.Td>
                    <Table.Td className="num">
                      {batch.failed > 0 ? (
                        <Text span c="red.8" fw={600} size="sm">
                          {formatNumber(batch.failed)}
                        </Text>
                      ) : (
                        "0"
                      )}
                    </Table.Td>
                    <Table.Td className="num">{formatNumber(batch.left)}</Table.Td>
                    <Table.Td className="wrap" miw={170}>
                      <Text size="xs" c="dimmed" maw={220}>
                        {optionsText(batch.options)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{batch.createdByName ?? "—"}</Table.Td>
                    <Table.Td>{formatDateTime(batch.createdAt)}</Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        <BatchDownloads batch={batch} compact />
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {batches.data && (
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={batches.data.items.length}
            total={batches.data.total}
            nextCursor={batches.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={["batch", "batches"]}
          />
        )}
      </Paper>
    </>
  );
}
