import { Code, Modal, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconKey } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, fieldErrorsOf } from "../../api/client";
import type { ApiToken } from "../../api/types";
import { useOperator } from "../../auth/session";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { actionsColumn, RowButton } from "../../components/DataTable";
import { DialogForm, ShownOnce } from "../../components/FormActions";
import { formatDateTime, shortId } from "../../components/format";
import { ListIntro, SearchTable, type TableSpec } from "../../components/SearchTable";
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
  return (
    <Modal opened onClose={onClose} title="New API token" centered>
      {create.data ? (
        <ShownOnce
          title="Copy the token now"
          secret={create.data.token}
          copyLabel="Copy the token"
          onDone={onClose}
        >
          It is shown only this once; Tessera keeps only its hash. Send it as{" "}
          <Code>Authorization: Bearer …</Code>.
        </ShownOnce>
      ) : (
        <DialogForm
          mutation={create}
          errorTitle="No token was created"
          onCancel={onClose}
          submitLabel="Create token"
          disabled={!name.trim()}
        >
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
            The token acts as you ({me.username}) and may do what your roles allow, until it is revoked or you
            are disabled.
          </Text>
        </DialogForm>
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
    <ConfirmDialog title="Revoke the token?" onClose={onClose} action={revoke} confirmLabel="Revoke token">
      <Text size="sm">Scripts using “{token.name}” stop working at once. This cannot be undone.</Text>
    </ConfirmDialog>
  );
}

export function TokensTab() {
  const tokens = useQuery({
    queryKey: ["tokens"],
    queryFn: ({ signal }) => api.get<{ items: ApiToken[] }>("/api/v1/tokens", signal),
  });
  const me = useOperator();
  const isAdministrator = me.has(["administrator"]);
  // Only administrators see other operators' tokens, and the operators' names.
  const operators = useOperators(isAdministrator);
  const names = new Map([
    [me.id, me.username],
    ...(operators.data?.items ?? []).map((o) => [o.id, o.username] as const),
  ]);
  const nameOf = (id: string) => names.get(id) ?? shortId(id);
  const [revoking, setRevoking] = useState<ApiToken | undefined>();
  const table: TableSpec<ApiToken> = {
    label: "API tokens",
    minWidth: 760,
    noun: ["token", "tokens"],
    empty: "No API token yet.",
    columns: [
      { header: "Name", td: { fw: 500 }, cell: (token) => token.name },
      { header: "Acts as", cell: (token) => nameOf(token.operatorId) },
      { header: "Created by", cell: (token) => nameOf(token.createdBy) },
      { header: "Created", cell: (token) => formatDateTime(token.createdAt) },
      { header: "Last used", cell: (token) => formatDateTime(token.lastUsedAt) },
      {
        header: "Status",
        cell: (token) => (token.revokedAt ? `Revoked ${formatDateTime(token.revokedAt)}` : "Active"),
      },
      actionsColumn(
        (token) =>
          !token.revokedAt && (
            <RowButton label={`Revoke ${token.name}`} color="red" onClick={() => setRevoking(token)}>
              Revoke
            </RowButton>
          ),
      ),
    ],
  };
  return (
    <SearchTable
      filters={
        <ListIntro
          add={{ label: "New API token", icon: IconKey, dialog: (close) => <NewToken onClose={close} /> }}
        >
          Tokens let scripts call the API as the operator who made them, with that operator's roles.
          {isAdministrator ? " You see every operator's tokens." : " You see your own tokens."}
        </ListIntro>
      }
      spec={table}
      query={tokens}
    >
      {revoking && <RevokeToken token={revoking} onClose={() => setRevoking(undefined)} />}
    </SearchTable>
  );
}
