import { Badge, Button, Group, Paper, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconArrowRight, IconBolt, IconCards, IconRefresh, IconUsersPlus } from "@tabler/icons-react";
import { Link } from "react-router";
import { useCatalog } from "../../api/queries";
import { useOperator } from "../../auth/session";
import { PageHeader } from "../../components/PageHeader";
import { batchOrders, canRunProcess, findProcess, roleNames } from "../../domain";

const icons = {
  CardsBoProcRequestMultiple: IconUsersPlus,
  CardsBoProcIssueMultiple: IconCards,
  CardsBoProcActivateMultiple: IconBolt,
  CardsBoProcRenewMultiple: IconRefresh,
} as const;

/** The batch processes this operator may start, in the seed's words. */
export default function BatchOrdersPage() {
  const operator = useOperator();
  const catalog = useCatalog();
  const offered = batchOrders.filter((order) => canRunProcess(operator.roles, order.symbolicName));
  return (
    <>
      <PageHeader
        title="BATCH ORDERS"
        description="Processes that act on many cards or users at once. Each runs as one order that you can follow in Batches."
      />
      <Stack gap="sm" maw={980}>
        {offered.map((order) => {
          const process = findProcess(order.symbolicName)!;
          const Icon = icons[order.symbolicName];
          const onServer = catalog.data?.some((entry) => entry.symbolicName === order.symbolicName);
          return (
            <Paper key={order.symbolicName} p="lg">
              <Group wrap="nowrap" align="center" gap="lg">
                <ThemeIcon size={44} radius="md" variant="light" aria-hidden>
                  <Icon size={24} />
                </ThemeIcon>
                <Stack gap={4} style={{ flex: 1 }}>
                  <Group gap="sm">
                    <Title order={2} fz="md">
                      {process.name}
                    </Title>
                    {catalog.data && !onServer && (
                      <Badge variant="outline" color="gray" size="sm" tt="none" c="dark.6">
                        Not yet offered by this server
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm">{order.description}</Text>
                  <Text size="xs" c="dimmed">
                    Outcome: {process.outcome}. Role: {process.roles.map((r) => roleNames[r]).join(" or ")}.
                  </Text>
                </Stack>
                <Button
                  component={Link}
                  to={order.path}
                  rightSection={<IconArrowRight size={16} aria-hidden />}
                >
                  {process.name}
                </Button>
              </Group>
            </Paper>
          );
        })}
      </Stack>
    </>
  );
}
