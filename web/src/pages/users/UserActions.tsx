import { Alert, Button, Group, List, Modal, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type Icon, IconEdit, IconUserCheck, IconUserOff } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { fieldErrorsOf, runProcess } from "../../api/client";
import type { Card, User, UserEditAnswer } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import { abortedWhenHolderLeaves, lockedWhenHolderLeaves, userFieldLabels } from "../../domain";
import { addressLinesOf, type Form, readAsBase64, UserFormFields, useUserForm } from "./user-form";

function formOf(user: User): Form {
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    identifier: user.identifier,
    organizationalUnit: user.organizationalUnit ?? "",
    organization: user.organization ?? "",
    title: user.title ?? "",
    upn: user.upn ?? "",
    sid: user.sid ?? "",
    nameOnCard: user.nameOnCard ?? "",
    address: (user.address ?? []).join("\n"),
  };
}

/** The body of UsersProcEdit: every field as the form has it (empty clears), at the version shown. */
async function editBodyOf(user: User, form: Form, photo: File | null) {
  const address = addressLinesOf(form);
  const optional = (value: string) => (value.trim() ? value.trim() : null);
  return {
    userId: user.id,
    version: user.version,
    firstName: form.firstName,
    lastName: form.lastName,
    email: form.email,
    organizationalUnit: optional(form.organizationalUnit),
    organization: optional(form.organization),
    title: optional(form.title),
    upn: optional(form.upn),
    sid: optional(form.sid),
    nameOnCard: optional(form.nameOnCard),
    address: address.length > 0 ? address : null,
    ...(photo && { photo: await readAsBase64(photo) }),
  };
}

function EditUserDialog({
  user,
  onClose,
  onEdited,
}: {
  user: User;
  onClose(): void;
  onEdited(a: UserEditAnswer): void;
}) {
  const queryClient = useQueryClient();
  const state = useUserForm(formOf(user), () => edit.reset());
  const edit = useMutation({
    mutationFn: async () => runProcess("UsersProcEdit", await editBodyOf(user, state.form, state.photo)),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["user", user.id] });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      onEdited(answer);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!state.photoError) edit.mutate();
  }

  return (
    <Modal opened onClose={onClose} title={`Edit ${user.firstName} ${user.lastName}`} size="xl" centered>
      <form onSubmit={submit} noValidate aria-label="Edit user">
        <Stack gap="md">
          <UserFormFields
            state={state}
            error={edit.error}
            failureTitle="The user was not changed"
            withIdentifier={false}
          />
          <Text size="xs" c="dimmed">
            The photo stays as it is unless you choose another. The identifier ({user.identifier}) is not
            edited.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={edit.isPending}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** After a change to what a card shows: the cards with the old data, each with a replacement request. */
function ReplaceCards({ answer, onClose }: { answer: UserEditAnswer; onClose(): void }) {
  const queryClient = useQueryClient();
  const [requested, setRequested] = useState<Record<string, string>>({});
  const request = useMutation({
    mutationFn: (card: Card) =>
      runProcess("CardsProcRequest", {
        userId: answer.user.id,
        template: card.template,
        replaces: card.id,
      }),
    onSuccess: ({ card }, old) => {
      setRequested((done) => ({ ...done, [old.id]: card.cardNumber }));
      void queryClient.invalidateQueries({ queryKey: ["user", answer.user.id] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
    },
  });
  const labels = answer.cardFieldsChanged.map((field) => userFieldLabels[field] ?? field);
  // "last name", "last name and title", "last name, title and e-mail".
  const fields =
    labels.length > 1 ? `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}` : labels.join("");
  return (
    <Alert color="yellow" title="Cards show the old data" withCloseButton onClose={onClose} role="status">
      <Stack gap="xs">
        <Text size="sm">
          The {fields} changed. {answer.cardsToReplace.length === 1 ? "This card shows" : "These cards show"}{" "}
          the old data until replaced:
        </Text>
        <List spacing="xs">
          {answer.cardsToReplace.map((card) => (
            <List.Item key={card.id}>
              <Group gap="xs">
                <Link to={`/cards/${card.id}`}>{card.cardNumber}</Link>
                <Text size="sm" c="dimmed">
                  {card.template}, {card.state}
                </Text>
                {requested[card.id] ? (
                  <Text size="sm">Replacement {requested[card.id]} requested.</Text>
                ) : (
                  <Button
                    size="xs"
                    variant="light"
                    loading={request.isPending && request.variables?.id === card.id}
                    onClick={() => request.mutate(card)}
                  >
                    Request replacement card
                  </Button>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
        {request.error && <ErrorAlert error={request.error} title="No replacement card was requested" />}
      </Stack>
    </Alert>
  );
}

function DeactivateUserDialog({ user, cards, onClose }: { user: User; cards: Card[]; onClose(): void }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const deactivate = useMutation({
    mutationFn: () => runProcess("UsersProcDeactivate", { userId: user.id, version: user.version, reason }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["user", user.id] });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      notifications.show({
        color: "green",
        title: "User deactivated",
        message: `${user.firstName} ${user.lastName} is inactive.`,
      });
      onClose();
    },
  });
  // A missing reason is said next to the box, not a second time above the buttons.
  const reasonError = fieldErrorsOf(deactivate.error).reason;
  const locked = cards.filter((card) => lockedWhenHolderLeaves.includes(card.state)).length;
  const aborted = cards.filter((card) => abortedWhenHolderLeaves.includes(card.state)).length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <ConfirmDialog
      title={`Deactivate ${user.firstName} ${user.lastName}?`}
      onClose={onClose}
      action={{ ...deactivate, error: reasonError ? null : deactivate.error }}
      confirmLabel="Deactivate user"
      errorTitle="The user was not deactivated"
    >
      <Text size="sm">
        {plural(locked, "card", "cards")} will be locked (holder left; their certificates revoked) and{" "}
        {plural(aborted, "card request", "card requests")} aborted. Locked cards stay locked if the user is
        reactivated.
      </Text>
      <Textarea
        label="Reason"
        description="Why the user leaves; kept in the history."
        required
        data-autofocus
        value={reason}
        onChange={(event) => {
          setReason(event.currentTarget.value);
          deactivate.reset();
        }}
        error={reasonError}
      />
    </ConfirmDialog>
  );
}

function ReactivateUserDialog({ user, onClose }: { user: User; onClose(): void }) {
  const queryClient = useQueryClient();
  const reactivate = useMutation({
    mutationFn: () => runProcess("UsersProcReactivate", { userId: user.id, version: user.version }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["user", user.id] });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Reactivate ${user.firstName} ${user.lastName}?`}
      onClose={onClose}
      action={reactivate}
      confirmLabel="Reactivate user"
      errorTitle="The user was not reactivated"
    >
      <Text size="sm">
        The user becomes active again. Locked cards stay locked; new cards are requested as usual.
      </Text>
    </ConfirmDialog>
  );
}

type UserActionKey = "edit" | "deactivate" | "reactivate";

/** The buttons, each offered in the user states the server allows it in. */
const userActions: {
  key: UserActionKey;
  label: string;
  icon: Icon;
  offeredWhen: readonly User["state"][];
  variant: "default" | "light";
  color?: "red";
}[] = [
  { key: "edit", label: "Edit", icon: IconEdit, offeredWhen: ["active", "inactive"], variant: "default" },
  {
    key: "deactivate",
    label: "Deactivate",
    icon: IconUserOff,
    offeredWhen: ["active"],
    variant: "light",
    color: "red",
  },
  {
    key: "reactivate",
    label: "Reactivate",
    icon: IconUserCheck,
    offeredWhen: ["inactive"],
    variant: "light",
  },
];

/**
 * A registration officer's actions on a user (issue 12): Edit, and Deactivate while the user is
 * active or Reactivate while inactive; and, after an edit of what a card shows, the replacements.
 */
export function UserActions({ user, cards }: { user: User; cards: Card[] }) {
  const [open, setOpen] = useState<UserActionKey | null>(null);
  const [edited, setEdited] = useState<UserEditAnswer | null>(null);
  const close = () => setOpen(null);
  return (
    <Stack gap="sm">
      <Group gap="xs">
        {userActions
          .filter((action) => action.offeredWhen.includes(user.state))
          .map(({ key, label, icon: IconOf, offeredWhen: _, ...look }) => (
            <Button
              key={key}
              {...look}
              leftSection={<IconOf size={16} aria-hidden />}
              onClick={() => setOpen(key)}
            >
              {label}
            </Button>
          ))}
      </Group>
      {open === "edit" && (
        <EditUserDialog
          user={user}
          onClose={close}
          onEdited={(answer) => {
            close();
            notifications.show({
              color: "green",
              title: "User changed",
              message:
                answer.changed.length === 0
                  ? "Nothing was different; nothing changed."
                  : `${answer.user.firstName} ${answer.user.lastName} is changed.`,
            });
            setEdited(answer.cardsToReplace.length > 0 ? answer : null);
          }}
        />
      )}
      {open === "deactivate" && <DeactivateUserDialog user={user} cards={cards} onClose={close} />}
      {open === "reactivate" && <ReactivateUserDialog user={user} onClose={close} />}
      {edited && <ReplaceCards answer={edited} onClose={() => setEdited(null)} />}
    </Stack>
  );
}
