import { Alert, Anchor, Button, Group, List, Paper, Stack, Table, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { api, sentence, withQuery } from "../../api/client";
import { useCard } from "../../api/queries";
import type { Certificate, Page } from "../../api/types";
import { BatchLink } from "../../components/BatchLink";
import { CardFaceImage } from "../../components/CardFaceImage";
import { DetailColumns } from "../../components/DetailColumns";
import { Details } from "../../components/Details";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDate, formatDateTime, shortSerial } from "../../components/format";
import { HistoryTimeline } from "../../components/HistoryTimeline";
import { PageHeader } from "../../components/PageHeader";
import { CardLifecycleSection } from "../../components/pictures/CardLifecycle";
import { Section } from "../../components/Section";
import { StateBadge } from "../../components/StateBadge";
import { CardActions } from "./CardActions";

const producedStates = ["issued", "active", "inactive", "locked", "expired"];

/** The card's certificates with their validity, when the server lists certificates. */
function useCertificatesOf(cardId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["certificates", { card: cardId }],
    queryFn: ({ signal }) =>
      api.get<Page<Certificate>>(withQuery("/api/v1/certificates", { card: cardId }), signal),
    enabled,
    retry: false,
  });
}

/**
 * A row of the card's details naming a card of its renewal (the one it renews, or the one that
 * renews it): a link to that card by its number, or nothing when there is none.
 */
function renewalRow(
  label: string,
  id: string | null | undefined,
  cardNumber: string | null | undefined,
  unnumbered: string,
): [string, ReactNode] {
  return [
    label,
    id ? (
      <Anchor component={Link} to={`/cards/${id}`} key={label} size="sm">
        {cardNumber ?? unnumbered}
      </Anchor>
    ) : null,
  ];
}

export default function CardPage() {
  const { id } = useParams();
  const queryClient = useQueryClient();
  const result = useCard(id);
  const card = result.data;
  const certificates = useCertificatesOf(id ?? "", Boolean(card && card.certificates.length > 0));
  if (result.isPending) return <Loading label="Loading the card…" />;
  if (!card)
    return (
      <>
        <PageHeader title="Card" trail={[{ label: "Cards", to: "/cards" }]} />
        <ErrorAlert error={result.error} />
      </>
    );
  const validity = new Map((certificates.data?.items ?? []).map((c) => [c.serial, c]));
  const isProduced = producedStates.includes(card.state);
  // Each certificate's parts, shown as a table row on wide screens and as a small panel on narrow ones.
  const certificateRows = card.certificates.map((certificate) => {
    const known = validity.get(certificate.serial);
    return {
      serial: certificate.serial,
      profile: certificate.profile,
      state: <StateBadge kind="certificate" state={certificate.state} />,
      link: (
        <Anchor component={Link} to={`/certificates/${certificate.serial}`} className="mono" size="sm">
          {shortSerial(certificate.serial)}
        </Anchor>
      ),
      validity: known?.notAfter ? `${formatDate(known.notBefore)} – ${formatDate(known.notAfter)}` : "—",
      pem: (
        <Anchor
          href={`/api/v1/certificates/${certificate.serial}?format=pem`}
          download={`${certificate.serial}.pem`}
          size="sm"
        >
          PEM
        </Anchor>
      ),
    };
  });

  return (
    <>
      <PageHeader
        title={`Card ${card.cardNumber}`}
        trail={[{ label: "Cards", to: "/cards" }]}
        badge={<StateBadge kind="card" state={card.state} size="lg" />}
        actions={
          card.mayDownloadToken ? (
            <Button
              component="a"
              href={`/api/v1/cards/${card.id}/token`}
              download
              // Downloads are counted and recorded: read the card again once the download has
              // started, so the button goes when the limit is reached and the history shows it.
              onClick={() => {
                setTimeout(() => void queryClient.invalidateQueries({ queryKey: ["card", card.id] }), 1500);
              }}
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
            >
              Software token (.p12)
            </Button>
          ) : undefined
        }
      />
      <DetailColumns
        aside={
          <Section title="History">
            {card.history.length === 0 ? (
              <EmptyNote>No history recorded.</EmptyNote>
            ) : (
              <HistoryTimeline entries={card.history} batchNumbers={card.batchNumbers} />
            )}
            <Text size="xs" c="dimmed" mt="md">
              From the chained object history: entries cannot be changed without the audit verification
              noticing.
            </Text>
          </Section>
        }
      >
        <Paper p="lg">
          <Details
            items={[
              [
                "Holder",
                <Anchor component={Link} to={`/users/${card.userId}`} key="holder" size="sm">
                  {card.holderName}
                </Anchor>,
              ],
              ["Organizational unit", card.organizationalUnit],
              ["Card template", card.template],
              // A chip card's identity on the chip; a software token has none.
              ...(card.tokenSerial ? [["Chip serial", card.tokenSerial] as [string, string]] : []),
              ["Requested", formatDateTime(card.requestedAt)],
              ["Decided", formatDateTime(card.decidedAt)],
              ["Issued", formatDateTime(card.issuedAt)],
              ["Expires", formatDate(card.expiresAt)],
              [
                // The running batch that holds the card, else the one that last took it.
                card.batchId ? "Batch (running)" : "Batch",
                (card.batchId ?? card.lastBatchId) ? (
                  <BatchLink key="batch" id={(card.batchId ?? card.lastBatchId)!} number={card.batchNumber} />
                ) : null,
              ],
              ["Reason", card.reason],
              renewalRow("Renews", card.predecessorId, card.predecessorNumber, "The card this one replaces"),
              renewalRow(
                "Renewed by",
                card.successorId,
                card.successorNumber,
                "The card that replaces this one",
              ),
            ]}
          />
        </Paper>
        <Section title="What can be done now">
          {card.state === "failed" && card.holderUnfitForCard.length > 0 && (
            <Alert color="yellow" variant="light" title="Correct the holder first" mb="sm">
              <Text size="sm">
                No card can be made from the holder's data, so Repeat production would fail the same way:
              </Text>
              <List size="sm" mt={4}>
                {card.holderUnfitForCard.map((problem) => (
                  <List.Item key={problem.path}>{sentence(problem.message)}</List.Item>
                ))}
              </List>
              <Anchor component={Link} to={`/users/${card.userId}`} size="sm">
                Open the holder to edit them
              </Anchor>
            </Alert>
          )}
          {!(
            card.state === "failed" &&
            card.holderUnfitForCard.length > 0 &&
            card.allowedProcesses.length === 0
          ) && <CardActions card={card} />}
        </Section>
        <CardLifecycleSection card={card} />
        <Section title="Card face">
          <CardFaceImage cardId={card.id} cardNumber={card.cardNumber} />
          <Text size="xs" c="dimmed" mt="xs">
            {card.expiresAt
              ? "As the print file draws it, from the holder's data today."
              : "As the print file will draw it from the holder's data today; the validity counts from the day of production."}
          </Text>
        </Section>
        <Section title="Certificates">
          {card.certificates.length === 0 ? (
            <EmptyNote>
              {isProduced
                ? "No certificates are recorded for this card."
                : "Certificates are issued when the card is produced."}
            </EmptyNote>
          ) : (
            <>
              {/* Narrow screens get a list: a five-column table would widen the whole page. */}
              <Stack gap="xs" hiddenFrom="sm" aria-label="Certificates of the card">
                {certificateRows.map((row) => (
                  <Paper key={row.serial} withBorder p="xs">
                    <Group justify="space-between" wrap="nowrap">
                      <Text fw={600}>{row.profile}</Text>
                      {row.state}
                    </Group>
                    {row.link}
                    <Group justify="space-between">
                      <Text size="sm">{row.validity}</Text>
                      {row.pem}
                    </Group>
                  </Paper>
                ))}
              </Stack>
              <Table className="data-table" aria-label="Certificates of the card" visibleFrom="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Profile</Table.Th>
                    <Table.Th>Serial</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Validity</Table.Th>
                    <Table.Th>
                      <span className="sr-only">Download</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {certificateRows.map((row) => (
                    <Table.Tr key={row.serial}>
                      <Table.Td>{row.profile}</Table.Td>
                      <Table.Td>{row.link}</Table.Td>
                      <Table.Td>{row.state}</Table.Td>
                      <Table.Td>{row.validity}</Table.Td>
                      <Table.Td>{row.pem}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </Section>
      </DetailColumns>
    </>
  );
}
