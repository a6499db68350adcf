import { Button, Group } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { runProcess } from "../../api/client";
import type { BatchOrderAnswer } from "../../api/types";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { BatchOrderSteps } from "./BatchOrderSteps";
import { CardBatchSearch, type CardSelection } from "./CardBatchSearch";

/** What the page hands its second step: the chosen cards, and the ways back and out. */
export interface SecondStep {
  selection: CardSelection;
  back(): void;
  cancel(): void;
}

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
  children(step: SecondStep): ReactNode;
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
  const { pathname } = useLocation();
  const [params, setParams] = useSearchParams();
  const [selection, setSelection] = useStoredSelection(pathname);
  // The step is in the URL, so Back, Forward and reload stay on it; the selection is kept in
  // the tab's session storage, so it comes back with the step.
  const chosen = params.get("step") === "2" && Boolean(selection?.count);
  const goToStep = (step: 1 | 2) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (step === 2) next.set("step", "2");
      else next.delete("step");
      return next;
    });
  const cancel = () => {
    forgetSelection(pathname);
    navigate("/batch-orders");
  };
  // Focus follows the step, so a keyboard or screen-reader user starts where the new step does.
  const stepRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves when the step changes, and only then
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    stepRef.current?.focus();
  }, [chosen]);
  return (
    <>
      <PageHeader
        title={title}
        trail={[{ label: "BATCH ORDERS", to: "/batch-orders" }]}
        description={description}
      />
      <BatchOrderSteps active={chosen ? 1 : 0} middle={middle} last={last} />
      <section
        ref={stepRef}
        tabIndex={-1}
        aria-label={chosen ? `Step 2: ${middle}` : "Step 1: Search and select"}
        style={{ outline: "none" }}
      >
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
                <Button disabled={!selection?.count} onClick={() => goToStep(2)}>
                  {action}
                </Button>
              </>
            }
          />
        )}
        {chosen && selection && children({ selection, back: () => goToStep(1), cancel })}
      </section>
    </>
  );
}

const storageKey = (pathname: string) => `tessera.batch-order.selection:${pathname}`;

/** Forgets the selection of the batch order at `pathname`: after Next, or Cancel. */
export function forgetSelection(pathname: string): void {
  sessionStorage.removeItem(storageKey(pathname));
}

function readSelection(pathname: string): CardSelection | undefined {
  const stored = sessionStorage.getItem(storageKey(pathname));
  if (!stored) return undefined;
  try {
    const selection = JSON.parse(stored) as CardSelection;
    const isWhole =
      selection.kind === "ids"
        ? Array.isArray(selection.cards)
        : Array.isArray(selection.excluded) && typeof selection.total === "number";
    if (isWhole) return selection;
    throw new Error(`a selection of another shape: ${stored.slice(0, 80)}`);
  } catch (error) {
    // Written by this page only; unreadable means another version of it wrote it: start afresh.
    console.warn("the stored selection of this batch order is unreadable; it is dropped", error);
    forgetSelection(pathname);
    return undefined;
  }
}

/** The order's selection, kept in the tab's session storage across reloads and Back/Forward. */
function useStoredSelection(pathname: string) {
  const [selection, setSelection] = useState(() => readSelection(pathname));
  const update = useCallback(
    (next: CardSelection | undefined) => {
      setSelection(next);
      if (!next) return forgetSelection(pathname);
      try {
        sessionStorage.setItem(storageKey(pathname), JSON.stringify(next));
      } catch (error) {
        // Too many picks for the tab's storage: they stay on this page, only a reload loses them.
        console.warn("the selection of this batch order is too large to keep across a reload", error);
        forgetSelection(pathname);
      }
    },
    [pathname],
  );
  return [selection, update] as const;
}

/** The cards a batch order acts on, as the process takes them: ids, or the search's criteria. */
function targetOf(selection: CardSelection) {
  if (selection.kind === "ids") return { cardIds: selection.cards.map((c) => c.id) };
  // "All N matching except these": the server takes the search's cards but the unticked ones.
  const excludedCardIds = selection.excluded.map((c) => c.id);
  return { filter: selection.filter, ...(excludedCardIds.length > 0 && { excludedCardIds }) };
}

/** What the batch page is told of the order that started it: its summary and next steps. */
export interface OrderedBatch {
  skipped: BatchOrderAnswer["skipped"];
  ordered: { claimed: number };
}

/**
 * Starts a batch order for the selection (with the order's own fields in `body`), then opens the
 * running batch, carrying the cards the server skipped so the batch page can name them.
 */
export function useStartBatchOrder(
  process: "CardsBoProcIssueMultiple" | "CardsBoProcActivateMultiple",
  started: (answer: BatchOrderAnswer) => string,
) {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ selection, body }: { selection: CardSelection; body?: Record<string, unknown> }) =>
      runProcess(process, { ...targetOf(selection), ...body }),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      forgetSelection(pathname);
      notifications.show({ color: "green", title: "Batch started", message: started(answer) });
      const state: OrderedBatch = { skipped: answer.skipped, ordered: { claimed: answer.claimed } };
      navigate(`/batches/${answer.batchId}`, { state });
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
