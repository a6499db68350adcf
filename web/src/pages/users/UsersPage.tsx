import { IconSearch } from "@tabler/icons-react";
import type { User } from "../../api/types";
import { LinkButtons, pageLinks } from "../../components/LinkButtons";
import { SearchPage } from "../../components/SearchPage";
import { choiceField, SearchFilters, type TableSpec, textField } from "../../components/SearchTable";
import { userColumns } from "./user-columns";

const filterKeys = ["q", "state", "organizationalUnit", "expiresBefore"] as const;

const fields = [
  textField("q", "Name, identifier or e-mail", 280, { leftSection: <IconSearch size={16} aria-hidden /> }),
  choiceField("state", "State", 150, "Any state", [
    { value: "active", label: "Active" },
    { value: "inactive", label: "Inactive" },
  ]),
  textField("organizationalUnit", "Organizational unit", 200),
  textField("expiresBefore", "Card expires before", 170, { type: "date" }),
];

const table: TableSpec<User> = {
  minWidth: 760,
  noun: ["user", "users"],
  empty: "No user matches these criteria.",
  order: { by: "name", direction: "asc" },
  columns: [
    userColumns.name,
    userColumns.identifier,
    userColumns.email,
    userColumns.unit,
    userColumns.state,
    userColumns.created,
  ],
};

export default function UsersPage() {
  return (
    <SearchPage
      title="Users"
      description="The people the office makes cards for. Search by any word of the name (or its start), or by the whole identifier or e-mail address."
      actions={<LinkButtons links={[pageLinks.importUsers, { ...pageLinks.createUser, primary: true }]} />}
      resource={["users", "/api/v1/users"]}
      filterKeys={filterKeys}
      filters={(search) => <SearchFilters label="Search users" fields={fields} search={search} />}
      spec={table}
    />
  );
}
