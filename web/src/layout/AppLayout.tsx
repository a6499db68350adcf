import {
  ActionIcon,
  AppShell,
  Avatar,
  Badge,
  Box,
  Burger,
  Button,
  Group,
  NavLink,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconKey, IconLogout } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { Link, Navigate, Outlet, useLocation } from "react-router";
import { api, withQuery } from "../api/client";
import type { Card, Page } from "../api/types";
import { useOperator, useSession } from "../auth/session";
import { Loading } from "../components/ErrorAlert";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { formatNumber } from "../components/format";
import { rolesText } from "../domain";
import { navigation } from "../navigation";
import { Brand } from "./Brand";

function isActive(itemPath: string, pathname: string): boolean {
  return itemPath === "/" ? pathname === "/" : pathname === itemPath || pathname.startsWith(`${itemPath}/`);
}

/** The requests waiting for an approver, as a count next to Approvals. */
function useWaitingApprovals(enabled: boolean) {
  return useQuery({
    queryKey: ["cards", { state: "requested", limit: 1 }],
    queryFn: ({ signal }) =>
      api.get<Page<Card>>(withQuery("/api/v1/cards", { state: "requested", limit: 1 }), signal),
    enabled,
    refetchInterval: 60_000,
  });
}

function Shell() {
  const operator = useOperator();
  const { logOut } = useSession();
  const { pathname } = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const waiting = useWaitingApprovals(operator.has(["approver"]));

  const items = navigation.filter((item) => operator.has(item.roles));
  const roles = rolesText(operator.roles);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 232, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <a className="skip-link" href="#main">
        Skip to the page
      </a>
      <AppShell.Header
        withBorder
        style={{
          background: "var(--mantine-color-tessera-9)",
          borderColor: "var(--mantine-color-tessera-9)",
        }}
      >
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              color="white"
              aria-label="Show the navigation"
            />
            <UnstyledButton component={Link} to="/">
              <Brand size={28} />
            </UnstyledButton>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Group gap={10} wrap="nowrap" aria-label="Logged in operator" role="group">
              <Avatar size={32} radius="xl" color="white" variant="filled" aria-hidden>
                <Text fw={700} fz="sm" c="tessera.9">
                  {operator.username.slice(0, 2).toUpperCase()}
                </Text>
              </Avatar>
              <Box maw={320} visibleFrom="xs">
                <Text fz="sm" fw={600} c="white" lh={1.2} data-testid="operator-name">
                  {operator.username}
                </Text>
                <Text
                  fz="xs"
                  c="tessera.0"
                  lh={1.3}
                  truncate="end"
                  title={roles}
                  data-testid="operator-roles"
                >
                  {roles}
                </Text>
              </Box>
            </Group>
            <Button
              component={Link}
              to="/api-tokens"
              variant="white"
              color="tessera"
              size="xs"
              visibleFrom="sm"
              leftSection={<IconKey size={14} aria-hidden />}
            >
              API tokens
            </Button>
            {/* Narrow screens: the same page as an icon, so every operator reaches their tokens. */}
            <ActionIcon
              component={Link}
              to="/api-tokens"
              variant="white"
              color="tessera"
              size="md"
              hiddenFrom="sm"
              aria-label="API tokens"
              title="API tokens"
            >
              <IconKey size={16} aria-hidden />
            </ActionIcon>
            <Button
              variant="white"
              color="tessera"
              size="xs"
              leftSection={<IconLogout size={14} aria-hidden />}
              onClick={() => void logOut()}
            >
              Log out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <div style={{ overflowY: "auto" }}>
          {items.map((item) => {
            const Icon = item.icon;
            const count = item.path === "/approvals" ? waiting.data?.total : undefined;
            return (
              <NavLink
                key={item.path}
                component={Link}
                to={item.path}
                label={item.label}
                active={isActive(item.path, pathname)}
                aria-current={isActive(item.path, pathname) ? "page" : undefined}
                leftSection={<Icon size={18} stroke={1.6} />}
                rightSection={
                  count ? (
                    <Badge
                      size="sm"
                      variant="filled"
                      color="tessera"
                      circle={count < 10}
                      aria-label={`${count} waiting`}
                    >
                      {formatNumber(count)}
                    </Badge>
                  ) : undefined
                }
                onClick={close}
                variant="light"
                fw={500}
                style={{ borderRadius: "var(--mantine-radius-sm)" }}
                mb={2}
              />
            );
          })}
        </div>
      </AppShell.Navbar>

      <AppShell.Main
        id="main"
        tabIndex={-1}
        style={{ background: "var(--tessera-page-bg)", outline: "none" }}
      >
        <Box maw={1320} mx="auto">
          <ErrorBoundary resetKey={pathname}>
            <Suspense fallback={<Loading label="Opening the page…" />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}

/** Everything behind the login. */
export function AppLayout() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === "loading") return <Loading label="Opening Tessera…" />;
  if (state.status === "anonymous") {
    // Who logs out hands the screen to the next operator, who starts at their own dashboard; an
    // expired session comes back to the page it was on.
    if (state.reason === "loggedOut") return <Navigate to="/login?reason=loggedOut" replace />;
    const next = location.pathname + location.search;
    const reason = state.reason ? `&reason=${state.reason}` : "";
    return <Navigate to={`/login?next=${encodeURIComponent(next)}${reason}`} replace />;
  }
  return <Shell />;
}
