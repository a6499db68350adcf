import { Alert, Button, Group, List, Modal, Paper, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconClockPause, IconX } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { messageOf, runProcess } from "../api/client";
import { useCards } from "../api/queries";
import type { Card } from "../api/types";
import { useOperator } from "../auth/session";
import { CardFilters, cardFilterKeys } from "../components/CardFilters";
import { EmptyNote, ErrorAlert, Loading } from "../components/ErrorAlert";
import { plural } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { Pager } from "../components/Pager";
import { SelectableCardTable } from "../components/SelectableCardTable";
import { compact, useSearchForm } from "../components/url-filters";

type Decision = "approve" | "reject" | "postpone";
const decisionWords: Record<Decision, { verb: string; done: string }> = {
  approve: { verb: "Approve", done: "approved" },
  reject: { verb: "Reject", done: "rejected" },
  postpone: { verb: "Postpone", done: "postponed" },
};
const pageSize = 50;

interface Outcome {
  decision: Decision;
  succeeded: number;
  failures: { card: Card; message: string }[];
}

/** Asks for the reason (required to reject) and confirms a decision on one or several requests. */
function DecisionModal({
  decision,
  cards,
  onClose,
  onDone,
}: {
  decision: Decision;
  cards: Card[];
  onClose(): void;
  onDone(outcome: Outcome): void;
}) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const words = decisionWords[decision];
  const needsReason = decision === "reject";

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (needsReason && !reason.trim()) return;
    setBusy(true);
    const failures: Outcome["failures"] = [];
    let succeeded = 0;
    // One request per card, so that each is decided (and audited) on its own and one refusal
    // (say, four eyes) does not hold back the others.
    for (const card of cards) {
      try {
        await runProcess("CardsProcApprove", {
          cardId: card.id,
          version: card.version,
          decision,
          ...(reason.trim() && { reason: reason.trim() }),
        });
        succeeded++;
      } catch (error) {
        failures.push({ card, message: messageOf(error) });
      }
    }
    setBusy(false);
    onDone({ decision, succeeded, failures });
  }

  return (
    <Modal
      opened
      onClose={busy ? () => {} : onClose}
      title={`${words.verb} ${plural(cards.length, "request")}`}
      centered
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm">
            {cards.length === 1
              ? `Card ${cards[0]!.cardNumber} of ${cards[0]!.holderName}.`
              : `${plural(cards.length, "card request")} selected.`}{" "}
            {decision === "approve" &&
              "Approved cards can be produced by the next Issue multiple cards batch."}
            {decision === "reject" && "Rejected requests are final."}
            {decision === "postpone" && "The requests stay in the queue."}
          </Text>
          {decision !== "approve" && (
            <Textarea
              label="Reason"
              required={needsReason}
              description={needsReason ? "Required: the registration officer sees why." : "Optional."}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              autosize
              minRows={2}
              maxLength={500}
              data-autofocus
            />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={decision === "reject" ? "red" : undefined}
              loading={busy}
              disabled={needsReason && !reason.trim()}
            >
              {words.verb}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function ApprovalsPage() {
  const operator = useOperator();
  const queryClient = useQueryClient();
  const { values, apply, form, setForm, pages } = useSearchForm(cardFilterKeys);
  const [selected, setSelected] = useState<Map<string, Card>>(new Map());
  const [deciding, setDeciding] = useState<{ decision: Decision; cards: Card[] } | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a selection belongs to one search; new criteria clear it
  useEffect(() => {
    setSelected(new Map());
  }, [values]);
  const cards = useCards({ ...compact(values), state: "requested", cursor: pages.cursor, limit: pageSize });

  const ownReason = (card: Card) =>
    card.requestedBy === operator.id ? "You requested it: another approver decides." : undefined;
  const toggle = (card: Card, on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      if (on) next.set(card.id, card);
      else next.delete(card.id);
      return next;
    });
  const togglePage = (on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      for (const card of cards.data?.items ?? []) {
        if (ownReason(card)) continue;
        if (on) next.set(card.id, card);
        else next.delete(card.id);
      }
      return next;
    });

  function done(result: Outcome) {
    setDeciding(undefined);
    setOutcome(result);
    setSelected(new Map());
    void queryClient.invalidateQueries({ queryKey: ["cards"] });
    if (result.succeeded > 0)
      notifications.show({
        color: "green",
        message: `${plural(result.succeeded, "request")} ${decisionWords[result.decision].done}.`,
      });
  }

  const chosen = [...selected.values()];
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Card requests waiting for a decision, oldest first. Approve, reject with a reason, or postpone — one by one or several at once. Nobody decides on their own request."
      />
      <Paper p="md">
        <CardFilters value={form} onChange={setForm} onSearch={() => apply(form)} withState={false} />
        <Group justify="space-between" mt="md" mb="xs" gap="xs">
          <Text size="sm" fw={500} aria-live="polite" data-testid="selection-count">
            {chosen.length === 0 ? "No request selected" : `${plural(chosen.length, "request")} selected`}
          </Text>
          <Group gap="xs">
            <Button
              leftSection={<IconCheck size={16} aria-hidden />}
              disabled={chosen.length === 0}
              onClick={() => setDeciding({ decision: "approve", cards: chosen })}
            >
              Approve
            </Button>
            <Button
              variant="light"
              color="red"
              leftSection={<IconX size={16} aria-hidden />}
              disabled={chosen.length === 0}
              onClick={() => setDeciding({ decision: "reject", cards: chosen })}
            >
              Reject…
            </Button>
            <Button
              variant="default"
              leftSection={<IconClockPause size={16} aria-hidden />}
              disabled={chosen.length === 0}
              onClick={() => setDeciding({ decision: "postpone", cards: chosen })}
            >
              Postpone…
            </Button>
          </Group>
        </Group>
        {outcome && outcome.failures.length > 0 && (
          <Alert
            color="red"
            variant="light"
            role="alert"
            mb="sm"
            withCloseButton
            onClose={() => setOutcome(undefined)}
            title={`${plural(outcome.failures.length, "request")} not ${decisionWords[outcome.decision].done}`}
          >
            <List size="sm">
              {outcome.failures.map(({ card, message }) => (
                <List.Item key={card.id}>
                  Card {card.cardNumber} ({card.holderName}): {message}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {cards.error && <ErrorAlert error={cards.error} onRetry={() => cards.refetch()} />}
        {cards.isPending && <Loading label="Loading the queue…" />}
        {cards.data && cards.data.items.length === 0 && (
          <EmptyNote>No request is waiting for approval.</EmptyNote>
        )}
        {cards.data && cards.data.items.length > 0 && (
          <SelectableCardTable
            label="Card requests waiting for approval"
            cards={cards.data.items}
            isSelected={(card) => selected.has(card.id)}
            onToggle={toggle}
            onTogglePage={togglePage}
            disabledReason={ownReason}
            dimmed={cards.isPlaceholderData}
            rowEnd={(card) =>
              ownReason(card) ? null : (
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-xs"
                    variant="light"
                    onClick={() => setDeciding({ decision: "approve", cards: [card] })}
                    aria-label={`Approve card ${card.cardNumber}`}
                  >
                    Approve
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    onClick={() => setDeciding({ decision: "reject", cards: [card] })}
                    aria-label={`Reject card ${card.cardNumber}`}
                  >
                    Reject
                  </Button>
                </Group>
              )
            }
          />
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
            noun={["request", "requests"]}
          />
        )}
      </Paper>
      {deciding && (
        <DecisionModal
          decision={deciding.decision}
          cards={deciding.cards}
          onClose={() => setDeciding(undefined)}
          onDone={done}
        />
      )}
    </>
  );
}
