import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconUserPlus } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, fieldErrorsOf } from "../../api/client";
import type { OperatorAccount, PendingChange, Role } from "../../api/types";
import { useOperator } from "../../auth/session";
import { actionsColumn, RowButton } from "../../components/DataTable";
import { DialogForm, ShownOnce } from "../../components/FormActions";
import { formatDate, formatDateTime } from "../../components/format";
import { ListIntro, SearchTable, type TableSpec } from "../../components/SearchTable";
import { roleNames, roles } from "../../domain";
import { PendingChanges } from "./PendingChanges";

/** The operators (administrators only: `enabled` false for anyone else). */
export function useOperators(enabled = true) {
  return useQuery({
    queryKey: ["operators"],
    queryFn: ({ signal }) => api.get<{ items: OperatorAccount[] }>("/api/v1/operators", signal),
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

/**
 * The password an administrator may set for an operator, at least 12 characters (the server's
 * rule). Left empty, the server generates one for a new operator and keeps an existing one's.
 */
function OperatorPassword(props: {
  isNew: boolean;
  value: string;
  onChange(value: string): void;
  error: string | undefined;
}) {
  const { isNew, value, onChange, error } = props;
  return (
    <PasswordInput
      label={isNew ? "Password" : "New password"}
      description={
        isNew
          ? "At least 12 characters. Leave empty to generate one."
          : "Leave empty to keep the current one. At least 12 characters."
      }
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
      // A password for someone else: the browser must not fill in the administrator's own.
      autoComplete="new-password"
    />
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
        <ShownOnce
          title={`${create.data.operator.username} can log in`}
          secret={generated}
          copyLabel="Copy the password"
          onDone={onClose}
        >
          {generated
            ? "Give them this password; it is shown only now and they should change it."
            : "They log in with the password you set."}
        </ShownOnce>
      ) : (
        <DialogForm
          mutation={create}
          errorTitle="The operator was not created"
          onCancel={onClose}
          submitLabel="Create operator"
        >
          <TextInput
            label="Username"
            description="Lower-case letters, digits, and . _ -"
            required
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            error={errors.username}
            data-autofocus
          />
          <OperatorPassword isNew value={password} onChange={setPassword} error={errors.password} />
          <RolePicker value={chosen} onChange={setChosen} error={errors.roles} />
        </DialogForm>
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
  return (
    <Modal opened onClose={onClose} title={`Operator ${operator.username}`} centered size="lg">
      <DialogForm mutation={save} errorTitle="Nothing was changed" onCancel={onClose} submitLabel="Save">
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
        <OperatorPassword isNew={false} value={password} onChange={setPassword} error={errors.password} />
      </DialogForm>
    </Modal>
  );
}

export function OperatorsTab() {
  const me = useOperator();
  const operators = useOperators();
  const [editing, setEditing] = useState<OperatorAccount | undefined>();
  const table: TableSpec<OperatorAccount> = {
    minWidth: 640,
    noun: ["operator", "operators"],
    empty: "No operator yet.",
    columns: [
      {
        header: "Username",
        td: { fw: 500 },
        cell: (operator) => (
          <>
            {operator.username}
            {operator.id === me.id && (
              <Text span size="xs" c="dimmed">
                {" "}
                (you)
              </Text>
            )}
          </>
        ),
      },
      {
        header: "Roles",
        cell: (operator) => (
          <Group gap={4}>
            {operator.roles.map((role) => (
              <Badge key={role} size="sm" variant="outline" color="gray" tt="none" fw={500} c="dark.6">
                {roleNames[role]}
              </Badge>
            ))}
          </Group>
        ),
      },
      {
        header: "Status",
        cell: (operator) =>
          operator.disabled ? (
            <Badge color="gray" variant="filled" size="sm" tt="none" c="white" bg="gray.7">
              Disabled
            </Badge>
          ) : operator.lockedUntil && new Date(operator.lockedUntil) > new Date() ? (
            <Badge color="red" variant="filled" size="sm" tt="none" bg="red.8">
              Waiting after failed logins
            </Badge>
          ) : (
            <Text span size="sm">
              Enabled
            </Text>
          ),
      },
      { header: "Created", cell: (operator) => formatDate(operator.createdAt) },
      actionsColumn((operator) => (
        <RowButton label={`Edit ${operator.username}`} onClick={() => setEditing(operator)}>
          Edit
        </RowButton>
      )),
    ],
  };
  return (
    <SearchTable
      filters={
        <ListIntro
          add={{
            label: "New operator",
            icon: IconUserPlus,
            dialog: (close) => <NewOperator onClose={close} />,
          }}
        >
          Each operator holds one or more roles; every process checks them on the server.
        </ListIntro>
      }
      toolbar={<PendingChanges kinds={["operator.create", "operator.change"]} />}
      spec={table}
      query={operators}
    >
      {editing && <EditOperator operator={editing} onClose={() => setEditing(undefined)} />}
    </SearchTable>
  );
}
