import { Anchor, Button, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconArrowRight } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../api/client";
import { useCardCountsPerState, useCards } from "../api/queries";
import type { Batch, Page } from "../api/types";
import { useOperator } from "../auth/session";
import { CountTile } from "../components/CountTile";
import { cardColumn } from "../components/card-columns";
import { type Column, DataTable } from "../components/DataTable";
import { EmptyNote, ErrorAlert } from "../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../components/format";
import { LinkButtons, pageLinks } from "../components/LinkButtons";
import { PageHeader } from "../components/PageHeader";
import { CertificatesExpiringPerMonth } from "../components/pictures/CertificatesExpiringPerMonth";
import { LifecycleFunnel } from "../components/pictures/LifecycleFunnel";
import { Section } from "../components/Section";
import { StateBadge } from "../components/StateBadge";
import { findProcess } from "../domain";
import { navigationItemOf } from "../navigation";
import { ActOnSection } from "./ActOnSection";
import { BatchStateBadge, productionEnded } from "./batches/batch-parts";
import { ExpiringCardsSection } from "./ExpiringCardsSection";

/** The way cards travel first, then where they stop. */
const dashboardStates = [
  "requested",
  "approved",
  "issued",
  "active",
  "inactive",
  "failed",
  "rejected",
  "aborted",
  "locked",
  "expired",
] as const;

function CardsPerState() {
  const { countOf, error } = useCardCountsPerState(dashboardStates);
  return (
    <Section title="Cards per state" p="md">
      {error && <ErrorAlert error={error} />}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="xs">
        {dashboardStates.map((state) => (
          <CountTile key={state} to={`/cards?state=${state}`} count={countOf(state)}>
            <StateBadge kind="card" state={state} />
          </CountTile>
        ))}
      </SimpleGrid>
    </Section>
  );
}

function WaitingForApproval({ canApprove }: { canApprove: boolean }) {
  const waiting = useCards({ state: "requested", limit: 6 });
  return (
    <Section
      title="Requests waiting for approval"
      p="md"
      action={
        canApprove && (
          <Button
            component={Link}
            to="/approvals"
            size="xs"
            variant="light"
            rightSection={<IconArrowRight size={14} aria-hidden />}
          >
            Open approvals
          </Button>
        )
      }
    >
      {waiting.error && <ErrorAlert error={waiting.error} />}
      {waiting.data && waiting.data.items.length === 0 && <EmptyNote>No requests are waiting.</EmptyNote>}
      {waiting.data && waiting.data.items.length > 0 && (
        <DataTable
          label="Requests waiting for approval"
          rows={waiting.data.items}
          rowKey={(card) => card.id}
          columns={[
            { ...cardColumn.number, header: "Card" },
            { header: "Holder", cell: (card) => card.holderName },
            cardColumn.requested,
          ]}
          minWidth={420}
        />
      )}
      {waiting.data && waiting.data.total > waiting.data.items.length && (
        <Text size="sm" c="dimmed" mt="xs">
          {formatNumber(waiting.data.total)} in all.
        </Text>
      )}
    </Section>
  );
}

const batchColumns: Column<Batch>[] = [
  {
    header: "Batch order",
    cell: (batch) => (
      <Anchor component={Link} to={`/batches/${batch.id}`}>
        {findProcess(batch.process)?.name ?? batch.process}
      </Anchor>
    ),
  },
  { header: "State", cell: (batch) => <BatchStateBadge batch={batch} /> },
  {
    header: "Done / total",
    className: "num",
    cell: (batch) => (
      <>
        {formatNumber(batch.done)} / {formatNumber(batch.total)}
        {batch.failed > 0 && (
          <Text span c="red.8" size="sm">
            {" "}
            ({formatNumber(batch.failed)} failed)
          </Text>
        )}
      </>
    ),
  },
  { header: "Started", cell: (batch) => formatDateTime(batch.createdAt) },
];

function RecentBatches() {
  const batches = useQuery({
    queryKey: ["batches", { limit: 6 }],
    queryFn: ({ signal }) => api.get<Page<Batch>>(withQuery("/api/v1/batches", { limit: 6 }), signal),
    // A cancelled batch still finishing its chunks in production changes too: follow it to its end.
    refetchInterval: (query) => (query.state.data?.items.some((b) => !productionEnded(b)) ? 3000 : false),
  });
  return (
    <Section
      title="Running and recent batches"
      p="md"
      action={
        <Anchor component={Link} to="/batches" size="sm">
          All batches
        </Anchor>
      }
    >
      {batches.error && (
        <ErrorAlert
          error={batches.error}
          missing="Batch orders are not offered by this Tessera server yet."
        />
      )}
      {batches.data && batches.data.items.length === 0 && <EmptyNote>No batch has run yet.</EmptyNote>}
      {batches.data && batches.data.items.length > 0 && (
        <DataTable
          label="Recent batch orders"
          rows={batches.data.items}
          rowKey={(batch) => batch.id}
          columns={batchColumns}
          minWidth={420}
        />
      )}
    </Section>
  );
}

export default function DashboardPage() {
  const operator = useOperator();
  const seesBatches = operator.has(navigationItemOf("/batches")?.roles ?? "any");
  const seesApprovals = operator.has(["approver", "registrationOfficer"]);
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`Welcome, ${operator.username}. This is where the office stands now.`}
        actions={
          <LinkButtons
            links={[
              pageLinks.createUser,
              pageLinks.importUsers,
              pageLinks.issueMultiple,
              pageLinks.activateMultiple,
            ]}
          />
        }
      />
      <Stack gap="md">
        <ActOnSection />
        <CardsPerState />
        <LifecycleFunnel />
        <ExpiringCardsSection />
        <CertificatesExpiringPerMonth />
        {/* Each role sees what it acts on: approvals for those who decide or request them. */}
        <SimpleGrid cols={{ base: 1, lg: seesBatches && seesApprovals ? 2 : 1 }} spacing="md">
          {seesApprovals && <WaitingForApproval canApprove={operator.has(["approver"])} />}
          {seesBatches && <RecentBatches />}
        </SimpleGrid>
      </Stack>
    </>
  );
}
