import { Alert, Button, Group, List, Modal, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconClockPause, IconX } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useState } from "react";
import { messageOf, runProcess } from "../api/client";
import { useCards } from "../api/queries";
import type { Card } from "../api/types";
import { useOperator } from "../auth/session";
import { CardFilters, cardFilterKeys } from "../components/CardFilters";
import { cardRowLabel, selectableCardColumns } from "../components/card-columns";
import { actionsColumn, usePickedRows } from "../components/DataTable";
import { formatNumber, plural } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { SearchTable, type TableSpec } from "../components/SearchTable";
import { SelectionBar } from "../components/SelectionBar";
import { compact, useSearchForm } from "../components/url-filters";

type Decision = "approve" | "reject" | "postpone";
const decisionWords: Record<Decision, { verb: string; done: string }> = {
  approve: { verb: "Approve", done: "approved" },
  reject: { verb: "Reject", done: "rejected" },
  postpone: { verb: "Postpone", done: "postponed" },
};

/** The decisions on the ticked requests; those that ask for a reason say so with "…". */
const decisionButtons: {
  decision: Decision;
  label: string;
  icon: ReactNode;
  variant?: string;
  color?: string;
}[] = [
  { decision: "approve", label: "Approve", icon: <IconCheck size={16} aria-hidden /> },
  {
    decision: "reject",
    label: "Reject…",
    icon: <IconX size={16} aria-hidden />,
    variant: "light",
    color: "red",
  },
  {
    decision: "postpone",
    label: "Postpone…",
    icon: <IconClockPause size={16} aria-hidden />,
    variant: "default",
  },
];

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

/**
 * What an empty Approvals list says. With criteria it says that none matches them and how many
 * wait without them, so that an approver never reads "nothing is waiting" while requests are.
 */
function emptyApprovals(criteria: Record<string, string | undefined>, waiting: number | undefined): string {
  const keys = Object.keys(criteria);
  if (keys.length === 0 || waiting === 0) return "No request is waiting for approval.";
  const noMatch =
    keys.length === 1 && criteria.q
      ? `No card requests match '${criteria.q}'.`
      : "No card requests match these criteria.";
  if (waiting === undefined) return noMatch;
  return `${noMatch} ${waiting === 1 ? "1 is" : `${formatNumber(waiting)} are`} waiting.`;
}

export default function ApprovalsPage() {
  const operator = useOperator();
  const queryClient = useQueryClient();
  const search = useSearchForm(cardFilterKeys);
  const { values } = search;
  const picked = usePickedRows<Card>((card) => card.id);
  const { clear } = picked;
  const [deciding, setDeciding] = useState<{ decision: Decision; cards: Card[] } | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a selection belongs to one search; new criteria clear it
  useEffect(() => {
    clear();
  }, [values, clear]);
  const cards = useCards({ ...search.query, state: "requested" });
  // The page always lists one state; the criteria are what the operator typed or chose.
  const { state: _, ...criteria } = compact(values);
  const isFiltered = Object.keys(criteria).length > 0;
  const found = cards.data?.items.length;
  // Only when criteria leave nothing: how many requests wait without them (one counted page).
  const waiting = useCards({ state: "requested", limit: 1 }, { enabled: isFiltered && found === 0 });

  const ownReason = (card: Card) =>
    card.requestedBy === operator.id ? "You requested it: another approver decides." : undefined;

  function done(result: Outcome) {
    setDeciding(undefined);
    setOutcome(result);
    clear();
    void queryClient.invalidateQueries({ queryKey: ["cards"] });
    if (result.succeeded > 0)
      notifications.show({
        color: "green",
        message: `${plural(result.succeeded, "request")} ${decisionWords[result.decision].done}.`,
      });
  }

  const chosen = picked.picked;
  const table: TableSpec<Card> = {
    label: "Card requests waiting for approval",
    minWidth: 820,
    noun: ["request", "requests"],
    empty: emptyApprovals(criteria, isFiltered ? waiting.data?.total : 0),
    // The API's order for a card search: the oldest request first, as it waits longest.
    order: { by: "requestedAt", direction: "asc" },
    columns: [
      ...selectableCardColumns(ownReason),
      actionsColumn((card) =>
        ownReason(card) ? null : (
          <Group gap={4} wrap="nowrap">
            {(["approve", "reject"] as const).map((decision) => (
              <Button
                key={decision}
                size="compact-xs"
                variant={decision === "approve" ? "light" : "subtle"}
                color={decision === "reject" ? "red" : undefined}
                onClick={() => setDeciding({ decision, cards: [card] })}
                aria-label={`${decisionWords[decision].verb} card ${card.cardNumber}`}
              >
                {decisionWords[decision].verb}
              </Button>
            ))}
          </Group>
        ),
      ),
    ],
  };
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Card requests waiting for a decision, oldest first. Approve, reject with a reason, or postpone — one by one or several at once. Nobody decides on their own request."
      />
      <SearchTable
        filters={<CardFilters search={search} withState={false} />}
        toolbar={
          <>
            <SelectionBar
              active={chosen.length > 0}
              summary={
                chosen.length === 0 ? "No request selected" : `${plural(chosen.length, "request")} selected`
              }
              actions={decisionButtons.map(({ decision, label, icon, variant, color }) => (
                <Button
                  key={decision}
                  variant={variant}
                  color={color}
                  leftSection={icon}
                  disabled={chosen.length === 0}
                  onClick={() => setDeciding({ decision, cards: chosen })}
                >
                  {label}
                </Button>
              ))}
            />
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
          </>
        }
        spec={table}
        query={cards}
        pager={search.pages}
        selection={picked.selectionOf(cards.data?.items ?? [], cardRowLabel, ownReason)}
      />
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
