import {
  Anchor,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { IconArrowRight, IconFileImport, IconStack2, IconUserPlus } from "@tabler/icons-react";
import { useQueries, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, withQuery } from "../api/client";
import { useCards } from "../api/queries";
import type { Batch, Card, Page } from "../api/types";
import { useOperator } from "../auth/session";
import { EmptyNote, ErrorAlert } from "../components/ErrorAlert";
import { formatDateTime, formatNumber } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { StateBadge } from "../components/StateBadge";
import { findProcess } from "../domain";
import { navigationItemOf } from "../navigation";
import { BatchStateBadge } from "./batches/batch-parts";

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
  const counts = useQueries({
    queries: dashboardStates.map((state) => ({
      queryKey: ["cards", { state, limit: 1 }],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<Page<Card>>(withQuery("/api/v1/cards", { state, limit: 1 }), signal),
    })),
  });
  const failed = counts.find((c) => c.error);
  return (
    <Paper p="md">
      <Title order={2} fz="md" mb="sm">
        Cards per state
      </Title>
      {failed && <ErrorAlert error={failed.error} />}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="xs">
        {dashboardStates.map((state, i) => {
          const count = counts[i];
          return (
            <UnstyledButton
              key={state}
              component={Link}
              to={`/cards?state=${state}`}
              p="sm"
              style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: 6 }}
            >
              <StateBadge kind="card" state={state} />
              {count?.data ? (
                <Text fz={22} fw={650} mt={6} style={{ fontVariantNumeric: "tabular-nums" }}>
                  {formatNumber(count.data.total)}
                </Text>
              ) : (
                <Skeleton h={24} mt={8} w={48} />
              )}
            </UnstyledButton>
          );
        })}
      </SimpleGrid>
    </Paper>
  );
}

function WaitingForApproval({ canApprove }: { canApprove: boolean }) {
  const waiting = useCards({ state: "requested", limit: 6 });
  return (
    <Paper p="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="md">
          Requests waiting for approval
        </Title>
        {canApprove && (
          <Button
            component={Link}
            to="/approvals"
            size="xs"
            variant="light"
            rightSection={<IconArrowRight size={14} aria-hidden />}
          >
            Open approvals
          </Button>
        )}
      </Group>
      {waiting.error && <ErrorAlert error={waiting.error} />}
      {waiting.data && waiting.data.items.length === 0 && <EmptyNote>No requests are waiting.</EmptyNote>}
      {waiting.data && waiting.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table className="data-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Card</Table.Th>
                <Table.Th>Holder</Table.Th>
                <Table.Th>Requested</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {waiting.data.items.map((card) => (
                <Table.Tr key={card.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/cards/${card.id}`} className="mono">
                      {card.cardNumber}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{card.holderName}</Table.Td>
                  <Table.Td>{formatDateTime(card.requestedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {waiting.data && waiting.data.total > waiting.data.items.length && (
        <Text size="sm" c="dimmed" mt="xs">
          {formatNumber(waiting.data.total)} in all.
        </Text>
      )}
    </Paper>
  );
}

function RecentBatches() {
  const batches = useQuery({
    queryKey: ["batches", { limit: 6 }],
    queryFn: ({ signal }) => api.get<Page<Batch>>(withQuery("/api/v1/batches", { limit: 6 }), signal),
    refetchInterval: (query) => (query.state.data?.items.some((b) => b.state === "running") ? 3000 : false),
  });
  return (
    <Paper p="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="md">
          Running and recent batches
        </Title>
        <Anchor component={Link} to="/batches" size="sm">
          All batches
        </Anchor>
      </Group>
      {batches.error && (
        <ErrorAlert
          error={batches.error}
          missing="Batch orders are not offered by this Tessera server yet."
        />
      )}
      {batches.data && batches.data.items.length === 0 && <EmptyNote>No batch has run yet.</EmptyNote>}
      {batches.data && batches.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table className="data-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Batch order</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th className="num">Done / total</Table.Th>
                <Table.Th>Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {batches.data.items.map((batch) => (
                <Table.Tr key={batch.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/batches/${batch.id}`}>
                      {findProcess(batch.process ?? "")?.name ?? batch.process}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <BatchStateBadge batch={batch} />
                  </Table.Td>
                  <Table.Td className="num">
                    {formatNumber(batch.done)} / {formatNumber(batch.total)}
                    {batch.failed > 0 && (
                      <Text span c="red.8" size="sm">
                        {" "}
                        ({formatNumber(batch.failed)} failed)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDateTime(batch.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function QuickActions() {
  const operator = useOperator();
  const actions = [
    {
      show: operator.has(["registrationOfficer"]),
      to: "/users/new",
      label: "Create user",
      icon: IconUserPlus,
    },
    {
      show: operator.has(["registrationOfficer"]),
      to: "/users/import",
      label: "Import users",
      icon: IconFileImport,
    },
    {
      show: operator.has(["productionAdministrator"]),
      to: "/batch-orders/issue-multiple-cards",
      label: "Issue multiple cards",
      icon: IconStack2,
    },
    {
      show: operator.has(["issuingAuthority"]),
      to: "/batch-orders/activate-multiple-cards",
      label: "Activate multiple cards",
      icon: IconStack2,
    },
  ].filter((a) => a.show);
  if (actions.length === 0) return null;
  return (
    <Group gap="xs">
      {actions.map(({ to, label, icon: Icon }) => (
        <Button
          key={to}
          component={Link}
          to={to}
          variant="default"
          leftSection={<Icon size={16} aria-hidden />}
        >
          {label}
        </Button>
      ))}
    </Group>
  );
}

export default function DashboardPage() {
  const operator = useOperator();
  const seesBatches = operator.has(navigationItemOf("/batches")?.roles ?? "any");
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`Welcome, ${operator.username}. This is where the office stands now.`}
        actions={<QuickActions />}
      />
      <Stack gap="md">
        <CardsPerState />
        <SimpleGrid cols={{ base: 1, lg: seesBatches ? 2 : 1 }} spacing="md">
          <WaitingForApproval canApprove={operator.has(["approver"])} />
          {seesBatches && <RecentBatches />}
        </SimpleGrid>
      </Stack>
    </>
  );
}
