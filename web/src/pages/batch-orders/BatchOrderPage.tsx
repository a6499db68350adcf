import { Button, Group } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useNavigate } from "react-router";
import { runProcess } from "../../api/client";
import type { BatchOrderAnswer } from "../../api/types";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { BatchOrderSteps } from "./BatchOrderSteps";
import { CardBatchSearch, type CardSelection } from "./CardBatchSearch";

interface Props {
  title: string;
  description: string;
  /** The one card state the order acts on. */
  state: "approved" | "issued" | "active";
  /** Offer the "Expires before" criterion. */
  withExpiry?: boolean;
  /** Offer "select all N matching" (the order takes the search's criteria). */
  selectAll?: boolean;
  /** The step after Next, when it is not a batch's progress. */
  last?: { label: string; description: string };
  /** The second step's name ("Options", "Confirm"). */
  middle: string;
  /** The button that takes the selection to the second step, named after the order. */
  action: string;
  /** The second step, once cards are chosen. */
  children(step: { selection: CardSelection; back(): void; cancel(): void }): ReactNode;
}

/**
 * A batch order in the seed's steps: search and select cards, then the order's own step, then
 * **Next** starts the batch. **Cancel** at any step before Next changes nothing: nothing was sent yet.
 */
export function BatchOrderPage({
  title,
  description,
  state,
  middle,
  action,
  children,
  withExpiry,
  selectAll,
  last,
}: Props) {
  const navigate = useNavigate();
  const [selection, setSelection] = useState<CardSelection | undefined>();
  const [chosen, setChosen] = useState(false);
  const cancel = () => navigate("/batch-orders");
  return (
    <>
      <PageHeader
        title={title}
        trail={[{ label: "BATCH ORDERS", to: "/batch-orders" }]}
        description={description}
      />
      <BatchOrderSteps active={chosen ? 1 : 0} middle={middle} last={last} />
      {!chosen && (
        <CardBatchSearch
          state={state}
          withExpiry={withExpiry}
          selectAll={selectAll}
          noun="card"
          selection={selection}
          onSelectionChange={setSelection}
          footer={
            <>
              <Button variant="default" onClick={cancel}>
                Cancel
              </Button>
              <Button disabled={!selection?.count} onClick={() => setChosen(true)}>
                {action}
              </Button>
            </>
          }
        />
      )}
      {chosen && selection && children({ selection, back: () => setChosen(false), cancel })}
    </>
  );
}

/** The cards a batch order acts on, as the process takes them: ids, or the search's criteria. */
function targetOf(selection: CardSelection) {
  return selection.kind === "ids"
    ? { cardIds: selection.cards.map((c) => c.id) }
    : { filter: selection.filter };
}

/**
 * Starts a batch order for the selection (with the order's own fields in `body`), then opens the
 * running batch, carrying the cards the server skipped so the batch page can name them.
 */
export function useStartBatchOrder(process: string, started: (answer: BatchOrderAnswer) => string) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ selection, body }: { selection: CardSelection; body?: Record<string, unknown> }) =>
      runProcess<BatchOrderAnswer>(process, { ...targetOf(selection), ...body }),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      notifications.show({ color: "green", title: "Batch started", message: started(answer) });
      navigate(`/batches/${answer.batchId}`, { state: { skipped: answer.skipped } });
    },
  });
}

interface StepFooterProps {
  onBack(): void;
  onCancel(): void;
  onNext(): void;
  /** The order being started: its error is shown here (unless `showError` is false), and it busies Next. */
  order: { error: unknown; isPending: boolean };
  showError?: boolean;
  /** What to say when this server does not offer the order yet. */
  missing: string;
  blocked?: boolean;
}

/** Why the batch was not started, if so; Back to the selection, Cancel, and Next, which starts the batch. */
export function StepFooter({
  onBack,
  onCancel,
  onNext,
  order,
  showError = true,
  missing,
  blocked,
}: StepFooterProps) {
  const busy = order.isPending;
  return (
    <>
      {showError && order.error !== null && order.error !== undefined && (
        <ErrorAlert error={order.error} title="The batch was not started" missing={missing} />
      )}
      <Group justify="space-between" pt="md" style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
        <Button variant="subtle" color="gray" onClick={onBack} disabled={busy}>
          Back to the selection
        </Button>
        <Group gap="xs">
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button onClick={onNext} disabled={blocked} loading={busy}>
            Next
          </Button>
        </Group>
      </Group>
    </>
  );
}
