import { Alert, Anchor, Text } from "@mantine/core";
import { IconLock } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useOperator } from "../auth/session";
import { PageHeader } from "../components/PageHeader";
import { type Role, roleNames } from "../domain";

/** Shows the page only to operators with one of the roles; the others learn which role it takes. */
export function RequireRoles({ roles, children }: { roles: readonly Role[] | "any"; children: ReactNode }) {
  const operator = useOperator();
  if (operator.has(roles)) return children;
  const needed = roles === "any" ? "" : roles.map((role) => roleNames[role]).join(" or ");
  return (
    <>
      <PageHeader title="Not for your roles" />
      <Alert color="gray" variant="light" icon={<IconLock size={18} aria-hidden />}>
        <Text size="sm">
          This page needs the role {needed}. An administrator can give it to you in Administration →
          Operators.
        </Text>
        <Anchor component={Link} to="/" size="sm">
          Back to the dashboard
        </Anchor>
      </Alert>
    </>
  );
}
