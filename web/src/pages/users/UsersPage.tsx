import { Anchor, Button, Group, Paper, Select, Table, Text, TextInput } from "@mantine/core";
import { IconFileImport, IconSearch, IconUserPlus } from "@tabler/icons-react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useUsers } from "../../api/queries";
import { useOperator } from "../../auth/session";
import { EmptyNote, ErrorAlert, Loading } from "../../components/ErrorAlert";
import { formatDate } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { Pager } from "../../components/Pager";
import { StateBadge } from "../../components/StateBadge";
import { compact, useSearchForm } from "../../components/url-filters";

const filterKeys = ["q", "state", "organizationalUnit"] as const;
const pageSize = 50;

export default function UsersPage() {
  const operator = useOperator();
  const { values, apply, form, setForm, pages } = useSearchForm(filterKeys);
  const users = useUsers({ ...compact(values), cursor: pages.cursor, limit: pageSize });

  function search(event: FormEvent) {
    event.preventDefault();
    apply(form);
  }

  return (
    <>
      <PageHeader
        title="Users"
        description="The people the office makes cards for. Search by the start of the last name, the identifier or the e-mail address."
        actions={
          operator.has(["registrationOfficer"]) && (
            <>
              <Button
                component={Link}
                to="/users/import"
                variant="default"
                leftSection={<IconFileImport size={16} aria-hidden />}
              >
                Import users
              </Button>
              <Button component={Link} to="/users/new" leftSection={<IconUserPlus size={16} aria-hidden />}>
                Create user
              </Button>
            </>
          )
        }
      />
      <Paper p="md">
        <form onSubmit={search} aria-label="Search users">
          <Group align="flex-end" gap="sm" mb="md">
            <TextInput
              label="Name, identifier or e-mail"
              value={form.q}
              onChange={(e) => setForm({ ...form, q: e.currentTarget.value })}
              w={280}
              leftSection={<IconSearch size={16} aria-hidden />}
            />
            <Select
              label="State"
              data={[
                { value: "", label: "Any state" },
                { value: "active", label: "Active" },
                { value: "inactive", label: "Inactive" },
              ]}
              value={form.state}
              onChange={(value) => setForm({ ...form, state: value ?? "" })}
              w={150}
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
        {users.error && <ErrorAlert error={users.error} onRetry={() => users.refetch()} />}
        {users.isPending && <Loading label="Searching users…" />}
        {users.data && users.data.items.length === 0 && (
          <EmptyNote>No user matches these criteria.</EmptyNote>
        )}
        {users.data && users.data.items.length > 0 && (
          <Table.ScrollContainer minWidth={760}>
            <Table
              className="data-table"
              aria-label="Users"
              style={{ opacity: users.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Identifier</Table.Th>
                  <Table.Th>E-mail</Table.Th>
                  <Table.Th>Organizational unit</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((user) => (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${user.id}`} fw={500}>
                        {user.lastName}, {user.firstName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td className="mono">{user.identifier}</Table.Td>
                    <Table.Td>
                      <Text size="sm" truncate="end" maw={260}>
                        {user.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>{user.organizationalUnit ?? "—"}</Table.Td>
                    <Table.Td>
                      <StateBadge kind="user" state={user.state} />
                    </Table.Td>
                    <Table.Td>{formatDate(user.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {users.data && (
          <Pager
            pageIndex={pages.pageIndex}
            pageSize={pageSize}
            shown={users.data.items.length}
            total={users.data.total}
            nextCursor={users.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
            noun={["user", "users"]}
          />
        )}
      </Paper>
    </>
  );
}
