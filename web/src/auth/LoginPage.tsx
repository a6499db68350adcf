import { Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertCircle, IconInfoCircle, IconLock } from "@tabler/icons-react";
import { type ChangeEvent, type FormEvent, useEffect, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { ApiError, messageOf } from "../api/client";
import { Loading, Notice } from "../components/ErrorAlert";
import { Brand } from "../layout/Brand";
import { useSession } from "./session";

/** Why the login page was opened (`?reason=`), when no login has failed since. */
const whyLoggedOut = {
  expired: { color: "blue", children: "You are logged out. Log in again to continue." },
  loggedOut: { color: "gray", children: "You have logged out." },
} as const;

/** A required login field bound to its state; the name lets password managers fill it. */
function credential(name: "username" | "password", value: string, set: (value: string) => void) {
  return {
    name,
    autoComplete: name,
    value,
    onChange: (event: ChangeEvent<HTMLInputElement>) => set(event.currentTarget.value),
    required: true,
  };
}

/** Where to go after login: only a path inside Tessera, never another site. */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

/** "45 seconds", "1 minute", "15 minutes": how long to wait, as a person says it. */
function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

/** The seconds a login must wait, from a 429 `auth.rate_limited` answer. */
function waitOf(error: unknown): number | undefined {
  if (!(error instanceof ApiError) || error.code !== "auth.rate_limited") return undefined;
  const seconds = error.details?.retryAfterSeconds;
  return typeof seconds === "number" && seconds > 0 ? seconds : 1;
}

function explain(error: unknown, secondsLeft: number): { title: string; text: string; locked: boolean } {
  if (error instanceof ApiError) {
    if (error.code === "auth.invalid_credentials")
      return {
        title: "Wrong username or password",
        text: "Check both and try again. After repeated failures you must wait a little longer before each new try.",
        locked: false,
      };
    if (error.code === "auth.rate_limited")
      return secondsLeft > 0
        ? {
            title: "Too many failed logins",
            text: `Wait ${formatWait(secondsLeft)} before you try again. An administrator can clear the wait in Administration → Operators.`,
            locked: true,
          }
        : {
            title: "The wait is over",
            text: "You can try again now. Each further failure makes the next wait longer.",
            locked: false,
          };
    if (error.code === "auth.account_disabled")
      return {
        title: "Account disabled",
        text: "This account is disabled. Ask an administrator to enable it.",
        locked: true,
      };
  }
  return { title: "Could not log in", text: messageOf(error), locked: false };
}

export function LoginPage() {
  const { state, logIn } = useSession();
  const [params] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // When a wait ends (epoch ms) and how many seconds are left of it, counted down each second.
  const [waitUntil, setWaitUntil] = useState<number | undefined>();
  const [secondsLeft, setSecondsLeft] = useState(0);
  const reason = params.get("reason");

  useEffect(() => {
    document.title = "Log in · Tessera";
  }, []);

  useEffect(() => {
    if (waitUntil === undefined) return;
    const tick = () => setSecondsLeft(Math.max(0, Math.ceil((waitUntil - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  if (state.status === "loading") return <Loading label="Opening Tessera…" />;
  if (state.status === "ready") return <Navigate to={safeNext(params.get("next"))} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await logIn(username.trim(), password);
    } catch (caught) {
      setError(caught);
      const wait = waitOf(caught);
      setWaitUntil(wait === undefined ? undefined : Date.now() + wait * 1000);
      setSecondsLeft(wait ?? 0);
      setPassword("");
    } finally {
      setBusy(false);
    }
  }

  const problem = error ? explain(error, secondsLeft) : undefined;
  const waiting = waitUntil !== undefined && secondsLeft > 0;
  return (
    <Box mih="100vh" style={{ background: "linear-gradient(160deg, #1f4e79 0%, #17324d 100%)" }}>
      <Center mih="100vh" p="md">
        <Stack w={380} gap="md">
          <Brand size={40} heading taglineAlways />
          <Paper p="xl" shadow="md" component="main">
            <form onSubmit={submit} aria-labelledby="login-title">
              <Stack gap="sm">
                <Title order={2} fz="lg" id="login-title">
                  Log in
                </Title>
                {problem ? (
                  <Notice
                    color="red"
                    urgent
                    title={problem.title}
                    icon={problem.locked ? IconLock : IconAlertCircle}
                  >
                    {problem.text}
                  </Notice>
                ) : (
                  reason &&
                  Object.hasOwn(whyLoggedOut, reason) && (
                    <Notice icon={IconInfoCircle} {...whyLoggedOut[reason as keyof typeof whyLoggedOut]} />
                  )
                )}
                <TextInput
                  label="Username"
                  {...credential("username", username, setUsername)}
                  autoFocus
                  autoCapitalize="none"
                  spellCheck={false}
                />
                <PasswordInput
                  label="Password"
                  {...credential("password", password, setPassword)}
                  autoComplete="current-password"
                />
                <Button type="submit" loading={busy} disabled={waiting} fullWidth mt="xs">
                  Log in
                </Button>
              </Stack>
            </form>
          </Paper>
          <Text c="tessera.1" fz="xs" ta="center">
            Your session ends after a period without activity. Every action is recorded in the object history.
          </Text>
        </Stack>
      </Center>
    </Box>
  );
}
