import { Button, Group } from "@mantine/core";
import { type Icon, IconFileImport, IconStack2, IconUserPlus } from "@tabler/icons-react";
import { Link } from "react-router";
import { useOperator } from "../auth/session";
import type { Role } from "../domain";

/** A page to go to from a button, for the operators whose roles may use it. */
export interface PageLink {
  to: string;
  label: string;
  icon: Icon;
  roles: readonly Role[];
  /** The button filled: the page's main action. */
  primary?: boolean;
}

/** The pages the dashboard and the lists offer as buttons. */
export const pageLinks = {
  createUser: { to: "/users/new", label: "Create user", icon: IconUserPlus, roles: ["registrationOfficer"] },
  importUsers: {
    to: "/users/import",
    label: "Import users",
    icon: IconFileImport,
    roles: ["registrationOfficer"],
  },
  issueMultiple: {
    to: "/batch-orders/issue-multiple-cards",
    label: "Issue multiple cards",
    icon: IconStack2,
    roles: ["productionAdministrator"],
  },
  activateMultiple: {
    to: "/batch-orders/activate-multiple-cards",
    label: "Activate multiple cards",
    icon: IconStack2,
    roles: ["issuingAuthority"],
  },
} satisfies Record<string, PageLink>;

/** Buttons to the pages of `links` this operator may use; nothing when there is none. */
export function LinkButtons({ links }: { links: PageLink[] }) {
  const operator = useOperator();
  const shown = links.filter((link) => operator.has(link.roles));
  if (shown.length === 0) return null;
  return (
    <Group gap="xs">
      {shown.map(({ to, label, icon: IconOf, primary }) => (
        <Button
          key={to}
          component={Link}
          to={to}
          variant={primary ? "filled" : "default"}
          leftSection={<IconOf size={16} aria-hidden />}
        >
          {label}
        </Button>
      ))}
    </Group>
  );
}
