import { Alert, Button, List, Select, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { runProcess } from "../../api/client";
import { useTemplates, useUsers } from "../../api/queries";
import type { User } from "../../api/types";
import { usePickedRows } from "../../components/DataTable";
import { EmptyNote, ErrorAlert } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { useCursorPages } from "../../components/Pager";
import { SearchFilters, SearchTable, type TableSpec, textField } from "../../components/SearchTable";
import { SelectionBar } from "../../components/SelectionBar";
import { userColumns } from "../users/user-columns";

const fields = [
  textField("q", "Name, identifier or e-mail", 260),
  textField("organizationalUnit", "Organizational unit", 200),
];

const table: TableSpec<User> = {
  label: "Active users",
  minWidth: 560,
  noun: ["user", "users"],
  empty: "No active user matches.",
  order: { by: "name", direction: "asc" },
  columns: [userColumns.name, userColumns.identifier, userColumns.unit, userColumns.state],
};

export default function RequestMultipleCardsPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const [form, setForm] = useState({ q: "", organizationalUnit: "" });
  const [criteria, setCriteria] = useState<typeof form | undefined>();
  const pages = useCursorPages();
  const users = useUsers({ ...criteria, state: "active", ...pages.page }, { enabled: Boolean(criteria) });
  const picked = usePickedRows<User>((user) => user.id);
  const [template, setTemplate] = useState<string | null>(null);
  const request = useMutation({
    mutationFn: (chosen: string) =>
      runProcess("CardsBoProcRequestMultiple", {
        userIds: picked.picked.map((user) => user.id),
        template: chosen,
      }),
    onSuccess: () => {
      picked.clear();
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
    },
  });

  function search(criteria: typeof form) {
    pages.reset();
    setCriteria({ ...criteria });
  }
  const report = request.data;

  return (
    <>
      <PageHeader
        title="Request multiple cards"
        trail={[{ label: "BATCH ORDERS", to: "/batch-orders" }]}
        description="Request a card of one template for many users at once. Users who cannot have one now are reported, the others get a request."
      />
      <Stack gap="md">
        {request.error && <ErrorAlert error={request.error} title="No card was requested" />}
        {report && (
          <Alert
            color={report.errors.length ? "yellow" : "green"}
            variant="light"
            title={`${plural(report.cards.length, "card")} requested`}
            withCloseButton
            onClose={() => request.reset()}
            aria-live="polite"
          >
            {report.errors.length === 0 ? (
              "Every selected user got a card request."
            ) : (
              <>
                <Text size="sm" mb={4}>
                  {plural(report.errors.length, "user")} could not get one:
                </Text>
                <div style={{ maxHeight: 220, overflowY: "auto" }}>
                  <List size="sm">
                    {report.errors.map((error) => (
                      <List.Item key={error.userId}>{error.reason}</List.Item>
                    ))}
                  </List>
                </div>
              </>
            )}
          </Alert>
        )}
        <SearchTable
          filters={
            <SearchFilters label="Search users" fields={fields} search={{ form, setForm, apply: search }} />
          }
          toolbar={
            <SelectionBar
              stickyOnPhone={false}
              active={picked.picked.length > 0}
              summary={
                picked.picked.length === 0
                  ? "No user selected"
                  : `${plural(picked.picked.length, "user")} selected`
              }
              actions={
                <>
                  <Select
                    label="Card template"
                    placeholder="Choose a template"
                    data={(templates.data ?? []).map((t) => ({ value: t.name, label: t.name }))}
                    value={template}
                    onChange={setTemplate}
                    w={200}
                  />
                  <Button variant="default" onClick={() => navigate("/batch-orders")}>
                    Cancel
                  </Button>
                  <Button
                    disabled={picked.picked.length === 0 || !template}
                    loading={request.isPending}
                    onClick={() => template && request.mutate(template)}
                  >
                    Request multiple cards
                  </Button>
                </>
              }
            />
          }
          idle={criteria ? undefined : <EmptyNote>Click Search to list the active users.</EmptyNote>}
          spec={table}
          query={users}
          pager={pages}
          selection={picked.selectionOf(
            users.data?.items ?? [],
            (user) => `Select ${user.firstName} ${user.lastName}`,
          )}
        />
      </Stack>
    </>
  );
}
