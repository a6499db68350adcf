import { Anchor, Paper, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { useCards } from "../../api/queries";
import { CardFilters, cardFilterKeys } from "../../components/CardFilters";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDate, formatDateTime, shortId } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { Pager } from "../../components/Pager";
import { StateBadge } from "../../components/StateBadge";
import { compact, useSearchForm } from "../../components/url-filters";

const pageSize = 50;

export default function CardsPage() {
  const { values, apply, form, setForm, pages } = useSearchForm(cardFilterKeys);
  const cards = useCards({ ...compact(values), cursor: pages.cursor, limit: pageSize });

  return (
    <>
      <PageHeader
        title="Cards"
        description="Every card in every state. Open a card to see its certificates, its history and what can be done with it now."
      />
      <Paper p="md">
        <CardFilters value={form} onChange={setForm} onSearch={() => apply(form)} />
        <div style={{ marginTop: 16 }}>
          {cards.error && <ErrorAlert error={cards.error} onRetry={() => cards.refetch()} />}
          {cards.isPending && <Loading label="Searching cards…" />}
          {cards.data && cards.data.items.length === 0 && (
            <EmptyNote>No card matches these criteria.</EmptyNote>
          )}
          {cards.data && cards.data.items.length > 0 && (
            <Table.ScrollContainer minWidth={900}>
              <Table
                className="data-table"
                aria-label="Cards"
                style={{ opacity: cards.isPlaceholderData ? 0.6 : 1 }}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Card number</Table.Th>
                    <Table.Th>Holder</Table.Th>
                    <Table.Th>Organizational unit</Table.Th>
                    <Table.Th>Template</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Requested</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Batch</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {cards.data.items.map((card) => (
                    <Table.Tr key={card.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/cards/${card.id}`} className="mono">
                          {card.cardNumber}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/users/${card.userId}`} c="inherit">
                          {card.holderName}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{card.organizationalUnit ?? "—"}</Table.Td>
                      <Table.Td>{card.template}</Table.Td>
                      <Table.Td>
                        <StateBadge kind="card" state={card.state} />
                      </Table.Td>
                      <Table.Td>{formatDateTime(card.requestedAt)}</Table.Td>
                      <Table.Td>{formatDate(card.expiresAt)}</Table.Td>
                      <Table.Td>
                        {card.batchId ? (
                          <Anchor component={Link} to={`/batches/${card.batchId}`} className="mono" size="sm">
                            {shortId(card.batchId)}
                          </Anchor>
                        ) : (
                          <Text span c="dimmed" size="sm">
                            —
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {cards.data && (
            <Pager
              pageIndex={pages.pageIndex}
              pageSize={pageSize}
              shown={cards.data.items.length}
              total={cards.data.total}
              nextCursor={cards.data.nextCursor}
              onNext={pages.next}
              onPrevious={pages.previous}
              noun={["card", "cards"]}
            />
          )}
        </div>
      </Paper>
    </>
  );
}
