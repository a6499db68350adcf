import { Alert, Badge, Button, Code, CopyButton, Group, Paper, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconUsersGroup } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import type { OperatorAccount, PendingChange, ProcessOptions } from "../../api/types";
import { useOperator } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { roleNames } from "../../domain";

export function usePendingChanges() {
  return useQuery({
    queryKey: ["pending-changes"],
    queryFn: ({ signal }) =>
      api.get<{ items: PendingChange[] }>("/api/v1/pending-changes?state=pending", signal),
    select: (data) => data.items,
  });
}

/** The four-eyes rules a change touches, as people name them (the API gives their ids). */
const ruleNames: Record<string, string> = {
  approvalStep: "Approval step",
  activationStep: "Activation step",
  administratorRole: "New administrator",
  administratorPassword: "Administrator's password",
};

/** What a pending change would do, in words. */
function describe(change: PendingChange): string {
  const c = change.change;
  const roles = Array.isArray(c.roles)
    ? (c.roles as (keyof typeof roleNames)[]).map((r) => roleNames[r] ?? r).join(", ")
    : undefined;
  if (change.kind === "operator.create")
    return `Create the operator ${String(c.username)} with the ${
      Array.isArray(c.roles) && c.roles.length === 1 ? "role" : "roles"
    } ${roles}.`;
  if (change.kind === "operator.change")
    return `Change the operator ${String(c.username)}: ${[
      roles && `roles ${roles}`,
      c.disabled === false && "enable",
      c.disabled === true && "disable",
      c.passwordReset === true && "set a new password",
      c.unlock === true && "clear the waits after failed logins",
    ]
      .filter(Boolean)
      .join("; ")}.`;
  const fields = Object.entries(c).map(([key, value]) => `${optionNames[key] ?? key} ${optionValue(value)}`);
  return `Change the process options: ${fields.join("; ")}.`;
}

/** The process options as the Process options tab names them. */
const optionNames: Record<string, string> = {
  pinLength: "PIN length",
  pukLength: "PUK length",
  certificates: "certificates to issue",
  cardEndState: "card end state",
  certificateEndState: "certificate end state",
  pukDelivery: "PUK delivery",
  approvalStep: "approval step",
  severalActiveCards: "several active cards per user",
};

const optionValueNames: Record<string, string> = {
  onHold: "on hold",
  none: "not printed",
  print: "printed",
};

/** An option's proposed value in words: on/off, a default and whether operators may choose. */
function optionValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "string" || typeof value === "number") return optionValueNames[value] ?? String(value);
  if (value && typeof value === "object") {
    const { default: fallback, operatorMayChoose } = value as {
      default?: unknown;
      operatorMayChoose?: unknown;
    };
    return [
      fallback !== undefined && optionValue(fallback),
      operatorMayChoose === true && "(operators may choose)",
      operatorMayChoose === false && "(operators may not choose)",
    ]
      .filter(Boolean)
      .join(" ");
  }
  return JSON.stringify(value);
}

function PendingChangeRow({ change }: { change: PendingChange }) {
  const me = useOperator();
  const queryClient = useQueryClient();
  const own = change.proposedBy === me.id;
  const [password, setPassword] = useState<string | undefined>();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["pending-changes"] });
    void queryClient.invalidateQueries({ queryKey: ["operators"] });
    void queryClient.invalidateQueries({ queryKey: ["options"] });
    void queryClient.invalidateQueries({ queryKey: ["processes"] });
  };
  const approve = useMutation({
    mutationFn: () =>
      api.post<{
        pendingChange: PendingChange;
        options?: ProcessOptions;
        operator?: OperatorAccount;
        password?: string;
      }>(`/api/v1/pending-changes/${change.id}/approve`),
    onSuccess: (answer) => {
      notifications.show({ color: "green", message: "The change is approved and applied." });
      if (answer.password) setPassword(answer.password);
      else refresh();
    },
  });
  const reject = useMutation({
    mutationFn: () => api.post(`/api/v1/pending-changes/${change.id}/reject`),
    onSuccess: () => {
      notifications.show({ color: "green", message: "The change is rejected; nothing was applied." });
      refresh();
    },
  });
  if (password)
    return (
      <Alert color="green" variant="light" title="Approved: give the new operator this password">
        <Group gap="xs">
          <Code fz="md">{password}</Code>
          <CopyButton value={password}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? "Copied" : "Copy"}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" onClick={refresh}>
            Done
          </Button>
        </Group>
      </Alert>
    );
  return (
    <Paper withBorder p="sm">
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" gap="xs">
          <div style={{ flex: "1 1 16rem", minWidth: 0 }}>
            <Text size="sm" fw={500}>
              {describe(change)}
            </Text>
            <Text size="xs" c="dimmed">
              Proposed by {change.proposedByName} on {formatDateTime(change.proposedAt)}
            </Text>
          </div>
          <Group gap={4}>
            {change.rules.map((rule) => (
              <Badge key={rule} variant="light" color="orange" tt="none" title={rule}>
                {ruleNames[rule] ?? rule}
              </Badge>
            ))}
          </Group>
        </Group>
        {own ? (
          <Text size="xs" c="dimmed">
            Another administrator approves or rejects it: nobody decides a four-eyes change alone.
          </Text>
        ) : (
          <Group gap="xs">
            <Button size="xs" loading={approve.isPending} onClick={() => approve.mutate()}>
              Approve
            </Button>
            <Button
              size="xs"
              variant="default"
              color="red"
              loading={reject.isPending}
              onClick={() => reject.mutate()}
            >
              Reject
            </Button>
          </Group>
        )}
        {approve.error && <ErrorAlert error={approve.error} title="The change was not approved" />}
        {reject.error && <ErrorAlert error={reject.error} title="The change was not rejected" />}
      </Stack>
    </Paper>
  );
}

/**
 * The changes of one kind that wait for a second administrator, with who proposed them, and
 * Approve / Reject for any other administrator.
 */
export function PendingChanges({ kinds }: { kinds: readonly PendingChange["kind"][] }) {
  const changes = usePendingChanges();
  const shown = (changes.data ?? []).filter((c) => kinds.includes(c.kind));
  if (changes.error) return <ErrorAlert error={changes.error} />;
  if (shown.length === 0) return null;
  return (
    <Stack gap="xs" mb="md" aria-label="Changes waiting for a second administrator" role="region">
      <Group gap="xs">
        <IconUsersGroup size={16} aria-hidden />
        <Text size="sm" fw={600}>
          Waiting for a second administrator
        </Text>
      </Group>
      {shown.map((change) => (
        <PendingChangeRow key={change.id} change={change} />
      ))}
    </Stack>
  );
}
