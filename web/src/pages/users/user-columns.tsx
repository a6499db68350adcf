import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import type { User } from "../../api/types";
import type { Column } from "../../components/DataTable";
import { formatDate } from "../../components/format";
import { StateBadge } from "../../components/StateBadge";

/** The columns a list of users picks from: the name links to the user's page. */
export const userColumns = {
  name: {
    header: "Name",
    sortKey: "name",
    cell: (user) => (
      <Anchor component={Link} to={`/users/${user.id}`} fw={500}>
        {user.lastName}, {user.firstName}
      </Anchor>
    ),
  },
  identifier: {
    header: "Identifier",
    className: "mono",
    sortKey: "identifier",
    cell: (user) => user.identifier,
  },
  email: {
    header: "E-mail",
    cell: (user) => (
      <Text size="sm" truncate="end" maw={260}>
        {user.email}
      </Text>
    ),
  },
  unit: { header: "Organizational unit", cell: (user) => user.organizationalUnit ?? "—" },
  state: { header: "State", cell: (user) => <StateBadge kind="user" state={user.state} /> },
  created: { header: "Created", sortKey: "createdAt", cell: (user) => formatDate(user.createdAt) },
} satisfies Record<string, Column<User>>;
