import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { runProcess } from "../../api/client";
import { useTemplates, useUsers } from "../../api/queries";
import type { Card, User } from "../../api/types";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { Pager, useCursorPages } from "../../components/Pager";
import { StateBadge } from "../../components/StateBadge";

interface RequestReport {
  cards: Card[];
  errors: { userId: string; code: string; reason: string }[];
}
const pageSize = 50;

export default function RequestMultipleCardsPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const [form, setForm] = useState({ q: "", organizationalUnit: "" });
  const [criteria, setCriteria] = useState<typeof form | undefined>();
  const pages = useCursorPages();
  const users = useUsers(
    { ...criteria, state: "active", cursor: pages.cursor, limit: pageSize },
    { enabled: Boolean(criteria) },
  );
  const [selected, setSelected] = useState<Map<string, User>>(new Map());
  const [template, setTemplate] = useState<string | null>(null);
  const request = useMutation({
    mutationFn: () =>
      runProcess<RequestReport>("CardsBoProcRequestMultiple", { userIds: [...selected.keys()], template }),
    onSuccess: () => {
      setSelected(new Map());
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
    },
  });

  function search(event: FormEvent) {
    event.preventDefault();
    pages.reset();
    setCriteria({ ...form });
  }
  const page = users.data?.items ?? [];
  const pageSelected = page.length > 0 && page.every((u) => selected.has(u.id));
  const toggle = (user: User, on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      if (on) next.set(user.id, user);
      else next.delete(user.id);
      return next;
    });
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
        <Paper p="md">
          <form onSubmit={search} aria-label="Search users">
            <Group align="flex-end" gap="sm">
              <TextInput
                label="Name, identifier or e-mail"
                value={form.q}
                onChange={(e) => setForm({ ...form, q: e.currentTarget.value })}
                w={260}
              />
              <TextInput
                label="Organizational unit"
                value={form.organizationalUnit}
                onChange={(e) => setForm({ ...form, organizationalUnit: e.currentTarget.value })}
                w={200}
              />
              <Button type="submit" leftSection={<IconSearch size={16} aria-hidden />}>
                Search
              </Button>
            </Group>
          </form>
          <Group
            justify="space-between"
            align="flex-end"
            mt="md"
            mb="xs"
            px="sm"
            py={8}
            gap="sm"
            style={{
              position: "sticky",
              top: "var(--app-shell-header-height, 56px)",
              zIndex: 3,
              background: selected.size ? "var(--mantine-color-tessera-0)" : "#f3f5f8",
              border: `1px solid ${selected.size ? "var(--mantine-color-tessera-2)" : "var(--mantine-color-gray-2)"}`,
              borderRadius: 6,
            }}
          >
            <Text size="sm" fw={600} aria-live="polite" data-testid="selection-count" mb={8}>
              {selected.size === 0 ? "No user selected" : `${plural(selected.size, "user")} selected`}
            </Text>
            <Group gap="xs" align="flex-end">
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
                disabled={selected.size === 0 || !template}
                loading={request.isPending}
                onClick={() => request.mutate()}
              >
                Request multiple cards
              </Button>
            </Group>
          </Group>
          {!criteria && <EmptyNote>Click Search to list the active users.</EmptyNote>}
          {users.error && <ErrorAlert error={users.error} />}
          {criteria && users.isPending && <Loading label="Searching users…" />}
          {users.data && page.length === 0 && <EmptyNote>No active user matches.</EmptyNote>}
          {users.data && page.length > 0 && (
            <>
              <Table className="data-table" aria-label="Active users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={44}>
                      <Checkbox
                        aria-label="Select page"
                        checked={pageSelected}
                        indeterminate={!pageSelected && page.some((u) => selected.has(u.id))}
                        onChange={(e) => {
                          const on = e.currentTarget.checked;
                          for (const user of page) toggle(user, on);
                        }}
                      />
                    </Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Identifier</Table.Th>
                    <Table.Th>Organizational unit</Table.Th>
                    <Table.Th>State</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.map((user) => (
                    <Table.Tr key={user.id} data-selected={selected.has(user.id)}>
                      <Table.Td>
                        <Checkbox
                          aria-label={`Select ${user.firstName} ${user.lastName}`}
                          checked={selected.has(user.id)}
                          onChange={(e) => toggle(user, e.currentTarget.checked)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/users/${user.id}`}>
                          {user.lastName}, {user.firstName}
                        </Anchor>
                      </Table.Td>
                      <Table.Td className="mono">{user.identifier}</Table.Td>
                      <Table.Td>{user.organizationalUnit ?? "—"}</Table.Td>
                      <Table.Td>
                        <StateBadge kind="user" state={user.state} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Pager
                pageIndex={pages.pageIndex}
                pageSize={pageSize}
                shown={page.length}
                total={users.data.total}
                nextCursor={users.data.nextCursor}
                onNext={pages.next}
                onPrevious={pages.previous}
                noun={["user", "users"]}
              />
            </>
          )}
        </Paper>
      </Stack>
    </>
  );
}
