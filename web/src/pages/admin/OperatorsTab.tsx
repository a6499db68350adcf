import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconUserPlus } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, fieldErrorsOf } from "../../api/client";
import type { OperatorAccount, PendingChange, Role } from "../../api/types";
import { useOperator } from "../../auth/session";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDate, formatDateTime } from "../../components/format";
import { roleNames, roles } from "../../domain";
import { PendingChanges } from "./PendingChanges";

/** The operators (administrators only: `enabled` false for anyone else). */
export function useOperators(enabled = true) {
  return useQuery({
    queryKey: ["operators"],
    queryFn: ({ signal }) => api.get<{ items: OperatorAccount[] }>("/api/v1/operators", signal),
    select: (data) => data.items,
    enabled,
  });
}

type Created = { operator: OperatorAccount; password?: string } | { pendingChange: PendingChange };

const waitsForSecond =
  "Making an administrator, or setting another administrator's password, needs a second administrator: the change waits for another administrator to approve it under Operators and roles.";

function RolePicker({
  value,
  onChange,
  error,
  readOnlyReason,
}: {
  value: Role[];
  onChange(value: Role[]): void;
  error?: string;
  /** Set when the roles may not be changed here (your own). */
  readOnlyReason?: string;
}) {
  return (
    <Checkbox.Group
      label="Roles"
      description={readOnlyReason}
      value={value}
      onChange={(v) => onChange(v as Role[])}
      error={error}
      required
    >
      <SimpleGrid cols={2} spacing={6} mt={6}>
        {roles.map((role) => (
          <Checkbox key={role} value={role} label={roleNames[role]} disabled={Boolean(readOnlyReason)} />
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  );
}

function NewOperator({ onClose }: { onClose(): void }) {
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [chosen, setChosen] = useState<Role[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.post<Created>("/api/v1/operators", {
        username: username.trim(),
        roles: chosen,
        ...(password && { password }),
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["operators"] });
      void queryClient.invalidateQueries({ queryKey: ["pending-changes"] });
    },
  });
  const errors = fieldErrorsOf(create.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const generated = create.data && "password" in create.data ? create.data.password : undefined;
  return (
    <Modal opened onClose={onClose} title="New operator" centered size="lg">
      {create.data && "pendingChange" in create.data ? (
        <Stack gap="sm">
          <Alert color="orange" variant="light" title="Waiting for a second administrator">
            {waitsForSecond}
          </Alert>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : create.data ? (
        <Stack gap="sm">
          <Alert color="green" variant="light" title={`${create.data.operator.username} can log in`}>
            {generated
              ? "Give them this password; it is shown only now and they should change it."
              : "They log in with the password you set."}
          </Alert>
          {generated && (
            <Group gap="xs">
              <Code fz="md">{generated}</Code>
              <CopyButton value={generated}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? "Copied" : "Copy"}
                  </Button>
                )}
              </CopyButton>
            </Group>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TextInput
              label="Username"
              description="Lower-case letters, digits, and . _ -"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              error={errors.username}
              data-autofocus
            />
            <PasswordInput
              label="Password"
              description="At least 12 characters. Leave empty to generate one."
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.password}
              autoComplete="new-password"
            />
            <RolePicker value={chosen} onChange={setChosen} error={errors.roles} />
            {create.error && Object.keys(errors).length === 0 && (
              <ErrorAlert error={create.error} title="The operator was not created" />
            )}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create operator
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function EditOperator({ operator, onClose }: { operator: OperatorAccount; onClose(): void }) {
  const queryClient = useQueryClient();
  const me = useOperator();
  const isMe = me.id === operator.id;
  const [chosen, setChosen] = useState<Role[]>(operator.roles);
  const [disabled, setDisabled] = useState(operator.disabled);
  const [password, setPassword] = useState("");
  const locked = Boolean(operator.lockedUntil && new Date(operator.lockedUntil) > new Date());
  const [unlock, setUnlock] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      api.patch<{ operator: OperatorAccount } | { pendingChange: PendingChange }>(
        `/api/v1/operators/${operator.id}`,
        {
          ...(chosen.join() !== operator.roles.join() && { roles: chosen }),
          ...(disabled !== operator.disabled && { disabled }),
          ...(password && { password }),
          ...(unlock && { unlock: true }),
        },
      ),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["operators"] });
      void queryClient.invalidateQueries({ queryKey: ["pending-changes"] });
      notifications.show(
        "pendingChange" in answer
          ? { color: "orange", message: waitsForSecond }
          : { color: "green", message: `${operator.username} is changed.` },
      );
      onClose();
    },
  });
  const errors = fieldErrorsOf(save.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <Modal opened onClose={onClose} title={`Operator ${operator.username}`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <RolePicker
            value={chosen}
            onChange={setChosen}
            error={errors.roles}
            {...(isMe && { readOnlyReason: "Nobody changes their own roles: another administrator does." })}
          />
          <Switch
            label="Disabled: cannot log in, and API tokens acting as them stop working"
            checked={disabled}
            onChange={(e) => setDisabled(e.currentTarget.checked)}
          />
          {/* Failed logins make the failing address wait (issue 8), and the wait of one address
              is not listed here: clearing them is offered always, not only while all must wait. */}
          <Checkbox
            label={
              locked
                ? `Clear the waits after failed logins (addresses that failed wait until ${formatDateTime(operator.lockedUntil)})`
                : "Clear the waits after failed logins, so they can try again at once from any address"
            }
            checked={unlock}
            onChange={(e) => setUnlock(e.currentTarget.checked)}
          />
          <PasswordInput
            label="New password"
            description="Leave empty to keep the current one. At least 12 characters."
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
            autoComplete="new-password"
          />
          {save.error && Object.keys(errors).length === 0 && (
            <ErrorAlert error={save.error} title="Nothing was changed" />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function OperatorsTab() {
  const me = useOperator();
  const operators = useOperators();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<OperatorAccount | undefined>();
  return (
    <Paper p="md">
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          Each operator holds one or more roles; every process checks them on the server.
        </Text>
        <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
          New operator
        </Button>
      </Group>
      <PendingChanges kinds={["operator.create", "operator.change"]} />
      {operators.error && <ErrorAlert error={operators.error} />}
      {operators.isPending && <Loading />}
      {operators.data && (
        <Table className="data-table" aria-label="Operators">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Username</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>
                <span className="sr-only">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {operators.data.map((operator) => {
              const locked = operator.lockedUntil && new Date(operator.lockedUntil) > new Date();
              return (
                <Table.Tr key={operator.id}>
                  <Table.Td fw={500}>
                    {operator.username}
                    {operator.id === me.id && (
                      <Text span size="xs" c="dimmed">
                        {" "}
                        (you)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {operator.roles.map((role) => (
                        <Badge
                          key={role}
                          size="sm"
                          variant="outline"
                          color="gray"
                          tt="none"
                          fw={500}
                          c="dark.6"
                        >
                          {roleNames[role]}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {operator.disabled ? (
                      <Badge color="gray" variant="filled" size="sm" tt="none" c="white" bg="gray.7">
                        Disabled
                      </Badge>
                    ) : locked ? (
                      <Badge color="red" variant="filled" size="sm" tt="none" bg="red.8">
                        Waiting after failed logins
                      </Badge>
                    ) : (
                      <Text span size="sm">
                        Enabled
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatDate(operator.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      onClick={() => setEditing(operator)}
                      aria-label={`Edit ${operator.username}`}
                    >
                      Edit
                    </Button>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {creating && <NewOperator onClose={() => setCreating(false)} />}
      {editing && <EditOperator operator={editing} onClose={() => setEditing(undefined)} />}
    </Paper>
  );
}
