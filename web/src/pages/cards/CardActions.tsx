import {
  Alert,
  Button,
  Group,
  Modal,
  PasswordInput,
  type PasswordInputProps,
  Select,
  Stack,
  Text,
  Textarea,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, fieldErrorsOf, runProcess } from "../../api/client";
import { useTemplates } from "../../api/queries";
import type { Card, CardDetail, CardProcessName } from "../../api/types";
import { useOperator } from "../../auth/session";
import { FormActions } from "../../components/FormActions";
import { canRunProcess, findProcess, lockReasonLabels, lockReasons } from "../../domain";

/** One button on a card page: a process of the catalog, with what its body needs. */
interface CardAction {
  key: string;
  symbolicName: CardProcessName;
  label: string;
  color?: string;
  /** Extra fields of the body. */
  input?: "reasonRequired" | "reasonOptional" | "lockReason" | "newPin" | "changePin";
  body?: Record<string, unknown>;
  question: string;
}

const cardActions: CardAction[] = [
  {
    key: "approve",
    symbolicName: "CardsProcApprove",
    label: "Approve",
    body: { decision: "approve" },
    question: "Approve this card request? The card can then be produced.",
  },
  {
    key: "reject",
    symbolicName: "CardsProcApprove",
    label: "Reject",
    color: "red",
    body: { decision: "reject" },
    input: "reasonRequired",
    question: "Reject this card request? The holder's registration officer sees the reason.",
  },
  {
    key: "postpone",
    symbolicName: "CardsProcApprove",
    label: "Postpone",
    color: "gray",
    body: { decision: "postpone" },
    input: "reasonOptional",
    question: "Postpone the decision? The request stays in the approval queue.",
  },
  {
    key: "activate",
    symbolicName: "CardsProcActivate",
    label: "Activate card",
    question: "Activate this card? Do it when the holder has received it: its certificates become valid.",
  },
  {
    key: "deactivate",
    symbolicName: "CardsProcDeactivate",
    label: "Deactivate card",
    color: "orange",
    question: "Deactivate this card? Its certificates are put on hold until it is reactivated.",
  },
  {
    key: "reactivate",
    symbolicName: "CardsProcReactivate",
    label: "Reactivate card",
    question: "Reactivate this card? Its certificates become valid again.",
  },
  {
    key: "unblock",
    symbolicName: "CardsProcUnblockPin",
    label: "Unblock PIN",
    input: "newPin",
    question:
      "Set the holder's new PIN on the chip and reset its retry counter. Tessera opens the chip with the PUK it keeps for this card; the chip must be in a card reader of this server.",
  },
  {
    key: "changePin",
    symbolicName: "CardsProcChangePin",
    label: "Change PIN",
    input: "changePin",
    question:
      "The holder types the old PIN and the new one; the chip checks the old one. The chip must be in a card reader of this server.",
  },
  {
    key: "repeat",
    symbolicName: "CardsProcRepeatProduction",
    label: "Repeat production",
    question:
      "Put this card back to approved, so that the next Issue multiple cards batch produces it again?",
  },
  {
    key: "lock",
    symbolicName: "CardsProcLock",
    label: "Lock card",
    color: "red",
    input: "lockReason",
    question: "Lock this card for good? Its certificates are revoked with the reason; this cannot be undone.",
  },
  {
    key: "abort",
    symbolicName: "CardsProcAbortRequest",
    label: "Abort request",
    color: "red",
    input: "reasonOptional",
    question: "Abort this card request? The card will not be produced.",
  },
];

/** The actions the card's state allows now (from the server) and the operator's roles allow. */
export function actionsFor(card: Card, roles: Parameters<typeof canRunProcess>[0]): CardAction[] {
  return cardActions.filter(
    (action) =>
      card.allowedProcesses.includes(action.symbolicName) && canRunProcess(roles, action.symbolicName),
  );
}

/** A PIN field: digits only (anything else is dropped as it is typed), never offered for autofill. */
function PinInput({
  onChange,
  ...input
}: Omit<PasswordInputProps, "onChange" | "required" | "inputMode" | "autoComplete"> & {
  value: string;
  onChange(pin: string): void;
}) {
  return (
    <PasswordInput
      {...input}
      required
      inputMode="numeric"
      autoComplete="off"
      onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, ""))}
    />
  );
}

function ConfirmAction({ card, action, onClose }: { card: CardDetail; action: CardAction; onClose(): void }) {
  const pinLength = useTemplates().data?.find((template) => template.name === card.template)?.pinLength;
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [lockReason, setLockReason] = useState<string | null>(null);
  const [newPin, setNewPin] = useState("");
  const [oldPin, setOldPin] = useState("");
  const process = findProcess(action.symbolicName);
  const run = useMutation({
    mutationFn: () =>
      runProcess(action.symbolicName, {
        cardId: card.id,
        ...(action.symbolicName === "CardsProcApprove" && { version: card.version }),
        ...action.body,
        ...((action.input === "reasonRequired" || action.input === "reasonOptional") &&
          reason.trim() && { reason: reason.trim() }),
        ...(action.input === "lockReason" && { reason: lockReason }),
        ...(action.input === "newPin" && { newPin }),
        ...(action.input === "changePin" && { oldPin, newPin }),
      }),
    onSuccess: ({ card: changed }) => {
      void queryClient.invalidateQueries({ queryKey: ["card", card.id] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      void queryClient.invalidateQueries({ queryKey: ["user", card.userId] });
      notifications.show({
        color: "green",
        title: `${action.label}: done`,
        // A PIN changes on the chip, not the card's state.
        message:
          action.input === "newPin" || action.input === "changePin"
            ? `The new PIN is set on chip ${changed.tokenSerial ?? ""} of card ${changed.cardNumber}.`
            : `Card ${changed.cardNumber} is now ${changed.state}.`,
      });
      onClose();
    },
  });
  const errors = fieldErrorsOf(run.error);
  // The chip's refusals belong to the PIN fields they are about, where the operator looks.
  const chipRefusal = run.error instanceof ApiError ? run.error : undefined;
  if (chipRefusal?.code === "pkcs11.pin_incorrect" && action.input === "changePin")
    errors.oldPin ??= chipRefusal.message;
  if (chipRefusal?.code === "pkcs11.pin_rejected") errors.newPin ??= chipRefusal.message;
  const missing =
    (action.input === "reasonRequired" && !reason.trim()) ||
    (action.input === "lockReason" && !lockReason) ||
    ((action.input === "newPin" || action.input === "changePin") && !/^\d{4,12}$/.test(newPin)) ||
    (action.input === "changePin" && !/^\d{4,12}$/.test(oldPin));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!missing) run.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={`${action.label} — card ${card.cardNumber}`} centered>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm">{action.question}</Text>
          <Text size="sm" c="dimmed">
            Holder: {card.holderName}. Outcome: {process?.outcome ?? "—"}.
          </Text>
          {(action.input === "reasonRequired" || action.input === "reasonOptional") && (
            <Textarea
              label="Reason"
              required={action.input === "reasonRequired"}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={errors.reason}
              autosize
              minRows={2}
              maxLength={500}
              data-autofocus
            />
          )}
          {action.input === "lockReason" && (
            <Select
              label="Reason"
              required
              placeholder="Why is the card locked?"
              data={lockReasons.map((r) => ({ value: r, label: lockReasonLabels[r] }))}
              value={lockReason}
              onChange={setLockReason}
              error={errors.reason}
            />
          )}
          {action.input === "changePin" && (
            <PinInput
              label="Old PIN"
              value={oldPin}
              onChange={setOldPin}
              error={errors.oldPin}
              data-autofocus
            />
          )}
          {(action.input === "newPin" || action.input === "changePin") && (
            <PinInput
              label="New PIN"
              description={`${pinLength ? `${pinLength.min} to ${pinLength.max} digits` : "Digits only"}. ${
                action.input === "changePin"
                  ? "The holder types it."
                  : "The holder chooses it, or tell it to the holder in person."
              }`}
              value={newPin}
              onChange={setNewPin}
              error={errors.newPin}
              {...(action.input === "newPin" && { "data-autofocus": true })}
            />
          )}
          <FormActions
            mutation={run}
            errorTitle={`${action.label} did not happen`}
            onCancel={onClose}
            submitLabel={action.label}
            disabled={missing}
            color={action.color}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/** The buttons for exactly the processes this card allows now, each asking for confirmation. */
export function CardActions({ card }: { card: CardDetail }) {
  const operator = useOperator();
  const [open, setOpen] = useState<CardAction | undefined>();
  // Activation and reactivation need a certificate that is valid or on hold (issue 8): a card
  // whose certificates are all revoked is not offered them, the server would refuse.
  const usable = card.certificates.some((c) => c.state === "valid" || c.state === "onHold");
  const becomesActive = (a: CardAction) =>
    a.symbolicName === "CardsProcActivate" || a.symbolicName === "CardsProcReactivate";
  const allowed = actionsFor(card, operator.roles);
  const actions = usable ? allowed : allowed.filter((a) => !becomesActive(a));
  const unusable = !usable && allowed.some(becomesActive);
  const ownRequest = card.requestedBy === operator.id;
  const decisions = actions.filter((a) => a.symbolicName === "CardsProcApprove");
  const others = actions.filter((a) => a.symbolicName !== "CardsProcApprove");
  const issuable =
    card.allowedProcesses.includes("CardsBoProcIssueMultiple") &&
    canRunProcess(operator.roles, "CardsBoProcIssueMultiple");

  const noUsableCertificate = unusable && (
    <Text size="sm" c="dimmed">
      The card has no certificate that is valid or on hold, so it cannot become active.
    </Text>
  );
  if (actions.length === 0 && !issuable)
    return (
      noUsableCertificate || (
        <Text size="sm" c="dimmed">
          No process your roles allow applies to a card that is {card.state}.
        </Text>
      )
    );
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {decisions.map((action) => (
          <Button
            key={action.key}
            variant={action.key === "approve" ? "filled" : "default"}
            color={action.key === "approve" ? undefined : action.color}
            disabled={ownRequest}
            onClick={() => setOpen(action)}
          >
            {action.label}
          </Button>
        ))}
        {others.map((action) => (
          <Button
            key={action.key}
            variant={action.color ? "light" : "filled"}
            color={action.color}
            onClick={() => setOpen(action)}
          >
            {action.label}
          </Button>
        ))}
      </Group>
      {noUsableCertificate}
      {ownRequest && decisions.length > 0 && (
        <Text size="sm" c="dimmed">
          You requested this card, so another approver must decide (four eyes).
        </Text>
      )}
      {issuable && (
        <Alert color="blue" variant="light" p="xs">
          <Text size="sm">
            {card.batchId
              ? "This card is held by a running batch."
              : "This card is approved: produce it with BATCH ORDERS → Issue multiple cards."}
          </Text>
        </Alert>
      )}
      {open && <ConfirmAction card={card} action={open} onClose={() => setOpen(undefined)} />}
    </Stack>
  );
}
