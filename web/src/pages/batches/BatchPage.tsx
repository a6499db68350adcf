import { Alert, Anchor, List, Paper, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerStop } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, withQuery } from "../../api/client";
import type { Batch, BatchDetail, BatchItem } from "../../api/types";
import { useOperator } from "../../auth/session";
import { batchName } from "../../components/BatchLink";
import { ConfirmButton } from "../../components/ConfirmDialog";
import { type Column, DataTable } from "../../components/DataTable";
import { Details } from "../../components/Details";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime, formatNumber, plural, shortId } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { BatchThroughput } from "../../components/pictures/BatchThroughput";
import { findProcess } from "../../domain";
import type { OrderedBatch } from "../batch-orders/BatchOrderPage";
import { BatchCards, itemCardColumns } from "./BatchCards";
import {
  BatchDownloads,
  BatchStateBadge,
  batchWords,
  cancelOutcome,
  optionsText,
  productionEnded,
} from "./batch-parts";
import { CardFacePreview } from "./CardFacePreview";

function useBatch(id: string | undefined) {
  return useQuery({
    queryKey: ["batch", id],
    // The per-card results asked for are the failures: they are what an operator acts on.
    queryFn: ({ signal }) =>
      api.get<BatchDetail>(
        withQuery(`/api/v1/batches/${encodeURIComponent(id!)}`, { itemState: "failed", limit: 200 }),
        signal,
      ),
    enabled: Boolean(id),
    // Follow the batch closely until production has really ended: a cancelled batch still
    // finishes the chunks that were in production. A batch that has ended does not change.
    refetchInterval: (query) => (query.state.data && !productionEnded(query.state.data) ? 1000 : false),
  });
}

function BatchProgress({ batch }: { batch: Batch }) {
  const total = Math.max(batch.total, 1);
  const ended = productionEnded(batch);
  const inProduction = ended ? 0 : batch.inProduction;
  const stats: [label: string, testId: string, value: number, color: string][] = [
    ["Done", "done", batch.done, "#185c2d"],
    ["Failed", "failed", batch.failed, "#951b1b"],
    [batchWords(batch).inWork, "in-production", inProduction, "#0d4586"],
    // Not started: of a running batch what is left beyond the chunks in work; a cancelled
    // batch gave those back to approved.
    batch.state === "cancelled"
      ? ["Returned to approved", "returned", batch.released ?? 0, "#474e57"]
      : ["Not started", "left", Math.max(batch.left - inProduction, 0), "#474e57"],
    ["Total", "total", batch.total, "#1f2933"],
  ];
  const percent = (n: number) => (n / total) * 100;
  return (
    <Stack gap="xs">
      <Progress.Root size={22} radius="sm" aria-label="Batch progress">
        <Progress.Section
          value={percent(batch.done)}
          color="green.7"
          aria-label={`${batch.done} done`}
          animated={!ended}
          striped={!ended}
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
      <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs">
        {stats.map(([label, testId, value, color]) => (
          <div key={testId}>
            <Text size="xs" c="dimmed" fw={600} tt="uppercase">
              {label}
            </Text>
            <Text
              fz={22}
              fw={650}
              style={{ color, fontVariantNumeric: "tabular-nums" }}
              aria-live={testId === "done" ? "polite" : undefined}
              data-testid={`batch-${testId}`}
            >
              {formatNumber(value)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function CancelBatch({
  batch,
  opened,
  onOpenedChange,
}: {
  batch: Batch;
  opened: boolean;
  onOpenedChange(opened: boolean): void;
}) {
  const queryClient = useQueryClient();
  const inProduction = batch.inProduction ?? 0;
  const notStarted = Math.max(batch.left - inProduction, 0);
  const cancel = useMutation({
    mutationFn: () => api.post<Batch>(`/api/v1/batches/${batch.id}/cancel`),
    onSuccess: (answer) => {
      // The answer is the batch as cancelled (without its per-card page): show it at once; the
      // page keeps following it while the chunks in production finish.
      queryClient.setQueryData<BatchDetail>(["batch", batch.id], (old) =>
        old ? { ...old, ...answer } : old,
      );
      void queryClient.invalidateQueries({ queryKey: ["batch", batch.id] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      const finishing = answer?.inProduction ?? 0;
      notifications.show({
        color: "gray",
        closeButtonProps: { "aria-label": "Dismiss the message" },
        message:
          `The batch is cancelled: ${plural(answer?.released ?? 0, "card")} not started went back to ${batchWords(batch).returnedTo}` +
          (finishing > 0 ? `; ${plural(finishing, "card")} in production finish.` : "."),
      });
    },
  });
  // The dialog stays open when the batch ends while it is read, and says so, rather than vanish.
  const running = batch.state === "running";
  return (
    <ConfirmButton
      label="Cancel batch"
      icon={IconPlayerStop}
      title="Cancel the batch?"
      action={cancel}
      errorTitle="The batch goes on"
      cancelLabel={running ? "Keep it running" : "Close"}
      opened={opened}
      onOpenedChange={onOpenedChange}
      confirmDisabled={!running}
    >
      {running ? (
        <>
          <Text size="sm">
            {batch.done > 0 && <>{plural(batch.done, "card")} already produced stay produced. </>}
            {inProduction > 0 && (
              <>The {plural(inProduction, "card")} in production are finished and will be produced. </>
            )}
            The {plural(notStarted, "card")} not yet started go back to {batchWords(batch).returnedTo} and can
            be taken by another batch.
          </Text>
          <Text size="xs" c="dimmed">
            Counted as of now; the batch goes on until you confirm.
          </Text>
        </>
      ) : (
        <Text size="sm" role="status">
          The batch has ended meanwhile ({plural(batch.done, "card")} produced, {batch.failed} failed): there
          is nothing left to cancel.
        </Text>
      )}
    </ConfirmButton>
  );
}

const failedColumns: Column<BatchItem>[] = [
  ...itemCardColumns,
  { header: "Why", className: "wrap", cell: (item) => item.reason ?? item.code ?? "No reason recorded." },
];

function FailedCards({ batch }: { batch: BatchDetail }) {
  const failed = batch.items.filter((item) => item.state === "failed");
  if (failed.length === 0) return null;
  return (
    <Paper p="lg">
      <Title order={2} fz="md" mb="sm" c="red.9">
        Cards that failed
      </Title>
      <DataTable
        label="Cards that failed"
        rows={failed}
        rowKey={(item) => item.cardId}
        columns={failedColumns}
        minWidth={480}
      />
      <Text size="sm" c="dimmed" mt="xs">
        A failed card keeps no certificates. Open it and choose Repeat production to put it back to approved;
        a card that failed on its holder's data (a name the card cannot print or certify) asks for the holder
        to be corrected first.
      </Text>
    </Paper>
  );
}

/**
 * What the operator ordered and what comes next, shown on arrival from the order's Next: the
 * batch's steps after production (files, activation) with links, so nobody has to know them.
 */
function OrderSummary({ batch, claimed, skipped }: { batch: Batch; claimed: number; skipped: number }) {
  const operator = useOperator();
  const ref = useRef<HTMLDivElement>(null);
  // The order's page is gone: focus starts here, where the new step does.
  useEffect(() => ref.current?.focus(), []);
  const ended = productionEnded(batch);
  const isProduction = batch.process === "CardsBoProcIssueMultiple";
  const showFiles = () => {
    const files = document.getElementById("batch-files");
    files?.scrollIntoView({ block: "start" });
    files?.focus();
  };
  const link = (to: string, label: string) => (
    <Anchor component={Link} to={to} size="sm">
      {label}
    </Anchor>
  );
  return (
    <Alert
      ref={ref}
      tabIndex={-1}
      color="green"
      variant="light"
      title={`${batchName(batch)} ordered: ${plural(claimed, "card")}${skipped > 0 ? `, ${skipped} skipped` : ""}`}
      data-testid="order-summary"
    >
      <Text size="sm" mb={4}>
        Next steps:
      </Text>
      <List size="sm" type="ordered" spacing={2}>
        {isProduction ? (
          <>
            <List.Item>
              {ended
                ? "Production has ended: the results are below."
                : "The cards are being produced; this page follows the batch until production has ended."}
            </List.Item>
            <List.Item>
              {ended && batch.done > 0 ? (
                // A button, not a #link: a hash link would replace the history entry this summary lives in.
                <Anchor component="button" type="button" size="sm" onClick={showFiles}>
                  Download the print file and the PIN letters
                </Anchor>
              ) : (
                "Download the print file and the PIN letters"
              )}{" "}
              for the card printer and the mail room
              {ended ? "." : " (on this page once production has ended)."}
            </List.Item>
            {batch.options.cardEndState === "active" ? (
              <List.Item>
                The cards are made active: hand them to their holders, nothing else to do.
              </List.Item>
            ) : (
              <List.Item>
                When the holders have received their cards, activate them with{" "}
                {operator.has(["issuingAuthority"])
                  ? link("/batch-orders/activate-multiple-cards", "Activate multiple cards")
                  : "Activate multiple cards (an issuing authority)"}
                .
              </List.Item>
            )}
          </>
        ) : (
          <List.Item>
            {ended
              ? "The activation has ended: the cards done are active and their certificates valid."
              : "The cards become active and their certificates valid as the batch runs; this page follows it."}
          </List.Item>
        )}
      </List>
      <Text size="sm" mt={6}>
        {link("/batches", "All batches")} · {link("/batch-orders", "BATCH ORDERS")}
      </Text>
    </Alert>
  );
}

export default function BatchPage() {
  const { id } = useParams();
  const operator = useOperator();
  const location = useLocation();
  const orderState = location.state as Partial<OrderedBatch> | null;
  const skipped = orderState?.skipped ?? [];
  const result = useBatch(id);
  const [cancelOpen, setCancelOpen] = useState(false);
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
  const ended = productionEnded(batch);
  return (
    <>
      <PageHeader
        title={`${process?.name ?? "Batch"} · ${batchName(batch)}`}
        trail={[{ label: "Batches", to: "/batches" }]}
        badge={<BatchStateBadge batch={batch} size="lg" />}
        actions={
          (batch.state === "running" || cancelOpen) &&
          operator.has(process?.roles ?? ["productionAdministrator"]) ? (
            <CancelBatch batch={batch} opened={cancelOpen} onOpenedChange={setCancelOpen} />
          ) : undefined
        }
      />
      <Stack gap="md">
        {orderState?.ordered && (
          <OrderSummary batch={batch} claimed={orderState.ordered.claimed} skipped={skipped.length} />
        )}
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
                    {s.cardNumber ?? shortId(s.cardId)}
                  </Anchor>
                  : {s.reason}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {!ended && batch.waitingForBlankCardSince && (
          <Alert
            color="yellow"
            variant="light"
            title="Waiting for blank cards"
            role="status"
            data-testid="batch-waiting-for-blank-cards"
          >
            <Text size="sm">
              No blank card is left in the readers of the production station. Since{" "}
              {formatDateTime(batch.waitingForBlankCardSince)} this batch's cards wait for blank cards to be
              put in; each waits as long as its card template says, then fails.
            </Text>
          </Alert>
        )}
        {batch.state === "cancelled" && (
          <Alert color="gray" variant="light" title={ended ? "Cancelled" : "Cancelled — finishing"}>
            <Text size="sm" data-testid="batch-outcome">
              {cancelOutcome(batch)}
            </Text>
            {!ended && (
              <Text size="sm" c="dimmed">
                This page follows them until they are done.
              </Text>
            )}
          </Alert>
        )}
        {batch.state === "completed" && batch.failed > 0 && (
          <Alert color="yellow" variant="light" title="Completed with failures">
            <Text size="sm" data-testid="batch-outcome">
              {plural(batch.done, "card")} {batchWords(batch).done}, {plural(batch.failed, "card")} failed:
              see below why.
            </Text>
          </Alert>
        )}
        <Paper p="lg">
          <Stack gap="md">
            <BatchProgress batch={batch} />
            <BatchThroughput batchId={batch.id} ended={ended} />
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
        <BatchCards batch={batch} />
        {ended &&
          isProduction &&
          batch.done > 0 &&
          (batch.mayDownload?.printFile || batch.mayDownload?.pinLetters) && (
            <Paper p="lg" id="batch-files" tabIndex={-1}>
              <Title order={2} fz="md" mb="sm">
                Files
              </Title>
              <BatchDownloads batch={batch} />
            </Paper>
          )}
        {ended && isProduction && batch.done > 0 && (
          <Paper p="lg">
            <Title order={2} fz="md" mb="sm">
              Card faces
            </Title>
            <CardFacePreview batchId={batch.id} />
          </Paper>
        )}
        {batch.state === "running" && batch.failed === 0 && (
          <EmptyNote>{batchWords(batch).running}; this page follows the batch as it runs.</EmptyNote>
        )}
      </Stack>
    </>
  );
}
