import { Anchor, Paper, Text } from "@mantine/core";
import { Link, useLocation } from "react-router";
import { PageHeader } from "../components/PageHeader";

export default function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader title="No such page" />
      <Paper p="lg">
        <Text size="sm">
          Tessera has no page at <span className="mono">{pathname}</span>. The address may be mistyped, or the
          page moved.
        </Text>
        <Anchor component={Link} to="/" size="sm">
          Go to the dashboard
        </Anchor>
      </Paper>
    </>
  );
}
