import { Anchor, Paper, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../../api/client";
import type { BatchItem } from "../../api/types";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { shortId } from "../../components/format";
import { Pager, useCursorPages } from "../../components/Pager";
import { type BatchRead, productionEnded } from "./batch-parts";

const pageSize = 25;

/** A card's result in its batch, in words. */
const itemStateLabels: Record<string, { label: string; color?: string }> = {
  pending: { label: "Not produced yet" },
  done: { label: "Produced", color: "#185c2d" },
  failed: { label: "Failed", color: "#951b1b" },
  released: { label: "Returned to approved" },
};

/**
 * Every card of the batch, in the order it was produced (paged as the API pages them), with
 * its result and a link to the card. Follows the batch while its production goes on.
 */
export function BatchCards({ batch }: { batch: BatchRead }) {
  const pages = useCursorPages();
  // The batch's read (followed by the page) says when its cards moved: read them again then.
  const progress = [batch.state, batch.done, batch.failed, batch.released ?? 0, productionEnded(batch)];
  const items = useQuery({
    queryKey: ["batch", batch.id, "items", { cursor: pages.cursor, limit: pageSize }, progress],
    queryFn: ({ signal }) =>
      api.get<BatchRead>(
        withQuery(`/api/v1/batches/${encodeURIComponent(batch.id)}`, {
          cursor: pages.cursor,
          limit: pageSize,
        }),
        signal,
      ),
    placeholderData: keepPreviousData,
  });
  const rows = items.data?.items ?? [];
  return (
    <Paper p="lg">
      <Title order={2} fz="md" mb="sm">
        Cards of the batch
      </Title>
      {items.error && <ErrorAlert error={items.error} />}
      {items.isPending && <Loading label="Loading the batch's cards…" />}
      {items.data && (
        <>
          <Table.ScrollContainer minWidth={560}>
            <Table className="data-table" aria-label="Cards of the batch">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th className="num">#</Table.Th>
                  <Table.Th>Card</Table.Th>
                  <Table.Th>Holder</Table.Th>
                  <Table.Th>In this batch</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((item: BatchItem) => {
                  const state = itemStateLabels[item.state] ?? { label: item.state };
                  return (
                    <Table.Tr key={item.cardId}>
                      <Table.Td className="num">{item.seq ?? ""}</Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/cards/${item.cardId}`} className="mono">
                          {item.cardNumber ?? shortId(item.cardId)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{item.holderName ?? "—"}</Table.Td>
                      <Table.Td>
                        <Text
                          span
                          size="sm"
                          fw={state.color ? 600 : undefined}
                          style={{ color: state.color }}
                        >
                          {state.label}
                        </Text>
                        {item.state === "failed" && (item.reason ?? item.code) && (
                          <Text size="xs" c="dimmed" className="wrap">
                            {item.reason ?? item.code}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={rows.length}
            total={batch.total}
            nextCursor={items.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={["card", "cards"]}
          />
        </>
      )}
    </Paper>
  );
}
