import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconKey } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, fieldErrorsOf } from "../../api/client";
import type { ApiToken } from "../../api/types";
import { useOperator } from "../../auth/session";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { useOperators } from "./OperatorsTab";

function NewToken({ onClose }: { onClose(): void }) {
  const me = useOperator();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation({
    // A token acts as the operator who makes it, with that operator's roles: never as another.
    mutationFn: () => api.post<{ id: string; token: string }>("/api/v1/tokens", { name: name.trim() }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["tokens"] }),
  });
  const errors = fieldErrorsOf(create.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Modal opened onClose={onClose} title="New API token" centered>
      {create.data ? (
        <Stack gap="sm">
          <Alert color="green" variant="light" title="Copy the token now">
            It is shown only this once; Tessera keeps only its hash. Send it as{" "}
            <Code>Authorization: Bearer …</Code>.
          </Alert>
          <Code block>{create.data.token}</Code>
          <Group justify="space-between">
            <CopyButton value={create.data.token}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? "Copied" : "Copy the token"}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TextInput
              label="Name"
              description="What the script is, e.g. “HR nightly import”."
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              data-autofocus
            />
            <Text size="sm" c="dimmed">
              The token acts as you ({me.username}) and may do what your roles allow, until it is revoked or
              you are disabled.
            </Text>
            {create.error && Object.keys(errors).length === 0 && (
              <ErrorAlert error={create.error} title="No token was created" />
            )}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function RevokeToken({ token, onClose }: { token: ApiToken; onClose(): void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api.delete(`/api/v1/tokens/${token.id}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
      notifications.show({ color: "green", message: `The token “${token.name}” is revoked.` });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title="Revoke the token?" centered>
      <Stack gap="sm">
        <Text size="sm">Scripts using “{token.name}” stop working at once. This cannot be undone.</Text>
        {revoke.error && <ErrorAlert error={revoke.error} />}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
            Revoke token
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function TokensTab() {
  const tokens = useQuery({
    queryKey: ["tokens"],
    queryFn: ({ signal }) => api.get<{ items: ApiToken[] }>("/api/v1/tokens", signal),
    select: (data) => data.items,
  });
  const me = useOperator();
  const isAdministrator = me.has(["administrator"]);
  // Only administrators see other operators' tokens, and the operators' names.
  const operators = useOperators(isAdministrator);
  const names = new Map([
    [me.id, me.username],
    ...(operators.data ?? []).map((o) => [o.id, o.username] as const),
  ]);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | undefined>();
  return (
    <Paper p="md">
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          Tokens let scripts call the API as the operator who made them, with that operator's roles.
          {isAdministrator ? " You see every operator's tokens." : " You see your own tokens."}
        </Text>
        <Button leftSection={<IconKey size={16} aria-hidden />} onClick={() => setCreating(true)}>
          New API token
        </Button>
      </Group>
      {tokens.error && <ErrorAlert error={tokens.error} />}
      {tokens.isPending && <Loading />}
      {tokens.data && tokens.data.length === 0 && <EmptyNote>No API token yet.</EmptyNote>}
      {tokens.data && tokens.data.length > 0 && (
        <Table.ScrollContainer minWidth={760}>
          <Table className="data-table" aria-label="API tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Acts as</Table.Th>
                <Table.Th>Created by</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <span className="sr-only">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.map((token) => (
                <Table.Tr key={token.id}>
                  <Table.Td fw={500}>{token.name}</Table.Td>
                  <Table.Td>{names.get(token.operatorId) ?? token.operatorId.slice(0, 8)}</Table.Td>
                  <Table.Td>{names.get(token.createdBy) ?? token.createdBy.slice(0, 8)}</Table.Td>
                  <Table.Td>{formatDateTime(token.createdAt)}</Table.Td>
                  <Table.Td>{formatDateTime(token.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    {token.revokedAt ? `Revoked ${formatDateTime(token.revokedAt)}` : "Active"}
                  </Table.Td>
                  <Table.Td>
                    {!token.revokedAt && (
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        onClick={() => setRevoking(token)}
                        aria-label={`Revoke ${token.name}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {creating && <NewToken onClose={() => setCreating(false)} />}
      {revoking && <RevokeToken token={revoking} onClose={() => setRevoking(undefined)} />}
    </Paper>
  );
}
