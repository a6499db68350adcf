import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { IconClockExclamation } from "@tabler/icons-react";
import { type FormEvent, useState } from "react";
import { messageOf } from "../api/client";
import { logInRequest } from "../api/session-api";
import type { SessionOperator } from "../api/types";

interface Props {
  opened: boolean;
  username: string;
  onLoggedIn(operator: SessionOperator): void;
  onGiveUp(): void;
}

/**
 * Asks for the password when the session has ended mid-work. The same operator logs in again
 * (four eyes depend on who acts), and the requests that were waiting are sent again.
 */
export function ReloginModal({ opened, username, onLoggedIn, onGiveUp }: Props) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { operator } = await logInRequest(username, password);
      setPassword("");
      onLoggedIn(operator);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      opened={opened}
      onClose={() => {}}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      title="Your session has ended"
      centered
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <IconClockExclamation size={20} aria-hidden />
            <Text size="sm">
              You were away for a while, so Tessera logged you out. Log in again to continue: what you typed
              is kept, and the action you started is sent once you are back.
            </Text>
          </Group>
          <TextInput label="Username" value={username} readOnly autoComplete="username" />
          <PasswordInput
            label="Password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            autoComplete="current-password"
            required
            data-autofocus
          />
          {error && (
            <Alert color="red" role="alert" variant="light">
              {error}
            </Alert>
          )}
          <Group justify="space-between" mt="xs">
            <Button variant="subtle" color="gray" onClick={onGiveUp}>
              Log out instead
            </Button>
            <Button type="submit" loading={busy}>
              Log in and continue
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
