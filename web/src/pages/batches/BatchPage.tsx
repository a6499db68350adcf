import {
  Alert,
  Anchor,
  Button,
  Group,
  List,
  Modal,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerStop } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, withQuery } from "../../api/client";
import type { Batch } from "../../api/types";
import { useOperator } from "../../auth/session";
import { Details } from "../../components/Details";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber, plural, shortId } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { StateBadge } from "../../components/StateBadge";
import { findProcess } from "../../domain";
import { BatchDownloads, optionsText } from "./batch-parts";
import { CardFacePreview } from "./CardFacePreview";

function useBatch(id: string | undefined) {
  return useQuery({
    queryKey: ["batch", id],
    // The per-card results asked for are the failures: they are what an operator acts on.
    queryFn: ({ signal }) =>
      api.get<Batch>(
        withQuery(`/api/v1/batches/${encodeURIComponent(id!)}`, { itemState: "failed", limit: 200 }),
        signal,
      ),
    enabled: Boolean(id),
    // Follow a running batch closely; a finished one does not change.
    refetchInterval: (query) => (query.state.data?.state === "running" ? 1000 : false),
  });
}

function BatchProgress({ batch }: { batch: Batch }) {
  const total = Math.max(batch.total, 1);
  const percent = (n: number) => (n / total) * 100;
  return (
    <Stack gap="xs">
      <Progress.Root size={22} radius="sm" aria-label="Batch progress">
        <Progress.Section
          value={percent(batch.done)}
          color="green.7"
          aria-label={`${batch.done} done`}
          animated={batch.state === "running"}
          striped={batch.state === "running"}
        >
          {batch.done > 0 && percent(batch.done) > 8 && (
            <Progress.Label>{formatNumber(batch.done)}</Progress.Label>
          )}
        </Progress.Section>
        <Progress.Section value={percent(batch.failed)} color="red.7" aria-label={`${batch.failed} failed`}>
          {batch.failed > 0 && percent(batch.failed) > 8 && (
            <Progress.Label>{formatNumber(batch.failed)}</Progress.Label>
          )}
        </Progress.Section>
      </Progress.Root>
      <SimpleGrid cols={4} spacing="xs">
        {[
          ["Done", batch.done, "#185c2d"],
          ["Failed", batch.failed, "#951b1b"],
          ["Left", batch.left, "#474e57"],
          ["Total", batch.total, "#1f2933"],
        ].map(([label, value, color]) => (
          <div key={label as string}>
            <Text size="xs" c="dimmed" fw={600} tt="uppercase">
              {label}
            </Text>
            <Text
              fz={22}
              fw={650}
              style={{ color: color as string, fontVariantNumeric: "tabular-nums" }}
              aria-live={label === "Done" ? "polite" : undefined}
              data-testid={`batch-${String(label).toLowerCase()}`}
            >
              {formatNumber(value as number)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function CancelBatch({ batch }: { batch: Batch }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const cancel = useMutation({
    mutationFn: () => api.post(`/api/v1/batches/${batch.id}/cancel`),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: ["batch", batch.id] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      notifications.show({
        color: "gray",
        message: "The batch is cancelled. Cards not yet started stay approved.",
      });
    },
  });
  return (
    <>
      <Button
        color="red"
        variant="light"
        leftSection={<IconPlayerStop size={16} aria-hidden />}
        onClick={() => setOpen(true)}
      >
        Cancel batch
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Cancel the batch?" centered>
        <Stack gap="sm">
          <Text size="sm">
            Cards already produced stay produced; the {plural(batch.left, "card")} not yet started go back to
            approved and can be issued in another batch.
          </Text>
          {cancel.error && <ErrorAlert error={cancel.error} title="The batch goes on" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)}>
              Keep it running
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel batch
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function FailedCards({ batch }: { batch: Batch }) {
  const failed = (batch.items ?? []).filter((item) => item.state === "failed");
  if (failed.length === 0) return null;
  return (
    <Paper p="lg">
      <Title order={2} fz="md" mb="sm" c="red.9">
        Cards that failed
      </Title>
      <Table className="data-table" aria-label="Cards that failed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Card</Table.Th>
            <Table.Th>Holder</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {failed.map((item) => (
            <Table.Tr key={item.cardId}>
              <Table.Td>
                <Anchor component={Link} to={`/cards/${item.cardId}`} className="mono">
                  {item.cardNumber ?? shortId(item.cardId)}
                </Anchor>
              </Table.Td>
              <Table.Td>{item.holderName ?? "—"}</Table.Td>
              <Table.Td className="wrap">{item.reason ?? item.code ?? "No reason recorded."}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" c="dimmed" mt="xs">
        A failed card keeps no certificates. Open it and choose Repeat production to put it back to approved.
      </Text>
    </Paper>
  );
}

export default function BatchPage() {
  const { id } = useParams();
  const operator = useOperator();
  const location = useLocation();
  const skipped =
    (location.state as { skipped?: { cardId: string; reason: string }[] } | null)?.skipped ?? [];
  const result = useBatch(id);
  const batch = result.data;
  if (result.isPending) return <Loading label="Loading the batch…" />;
  if (!batch)
    return (
      <>
        <PageHeader title="Batch" trail={[{ label: "Batches", to: "/batches" }]} />
        <ErrorAlert error={result.error} missing="Batch orders are not offered by this Tessera server yet." />
      </>
    );
  const process = findProcess(batch.process ?? "");
  const isProduction = (batch.process ?? "CardsBoProcIssueMultiple") === "CardsBoProcIssueMultiple";
  return (
    <>
      <PageHeader
        title={`${process?.name ?? "Batch"} · ${shortId(batch.id)}`}
        trail={[{ label: "Batches", to: "/batches" }]}
        badge={<StateBadge kind="batch" state={batch.state} size="lg" />}
        actions={
          batch.state === "running" && operator.has(process?.roles ?? ["productionAdministrator"]) ? (
            <CancelBatch batch={batch} />
          ) : undefined
        }
      />
      <Stack gap="md">
        {skipped.length > 0 && (
          <Alert
            color="yellow"
            variant="light"
            title={`${plural(skipped.length, "card")} skipped when the batch was ordered`}
          >
            <List size="sm">
              {skipped.map((s) => (
                <List.Item key={s.cardId}>
                  <Anchor component={Link} to={`/cards/${s.cardId}`} size="sm">
                    {shortId(s.cardId)}
                  </Anchor>
                  : {s.reason}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Paper p="lg">
          <Stack gap="md">
            <BatchProgress batch={batch} />
            <Details
              cols={4}
              items={[
                ["Started by", batch.createdByName],
                ["Started", formatDateTime(batch.createdAt)],
                ["Finished", formatDateTime(batch.finishedAt)],
                ["Options", optionsText(batch.options)],
              ]}
            />
          </Stack>
        </Paper>
        <FailedCards batch={batch} />
        {batch.state !== "running" &&
          isProduction &&
          batch.done > 0 &&
          (batch.mayDownload?.printFile || batch.mayDownload?.pinLetters) && (
            <Paper p="lg">
              <Title order={2} fz="md" mb="sm">
                Files
              </Title>
              <BatchDownloads batch={batch} />
            </Paper>
          )}
        {batch.state !== "running" && isProduction && batch.done > 0 && (
          <Paper p="lg">
            <Title order={2} fz="md" mb="sm">
              Card faces
            </Title>
            <CardFacePreview batchId={batch.id} />
          </Paper>
        )}
        {batch.state === "running" && batch.failed === 0 && (
          <EmptyNote>The cards are being produced; this page follows the batch as it runs.</EmptyNote>
        )}
      </Stack>
    </>
  );
}
