import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconPlugConnectedX } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { ApiError, messageOf } from "../api/client";

interface Props {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  /** What to say when this server does not have the route yet (features arriving in stages). */
  missing?: string;
}

/** An API error as a sentence, never as JSON. */
export function ErrorAlert({ error, title, onRetry, missing }: Props) {
  if (error instanceof ApiError && error.isMissingRoute && missing)
    return (
      <Alert
        color="gray"
        variant="light"
        icon={<IconPlugConnectedX size={18} aria-hidden />}
        title="Not available yet"
      >
        {missing}
      </Alert>
    );
  return (
    <Alert
      color="red"
      variant="light"
      role="alert"
      icon={<IconAlertTriangle size={18} aria-hidden />}
      title={title ?? "That did not work"}
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{messageOf(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Center py="xl">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed" role="status">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

/** A calm line where a table would be empty. */
export function EmptyNote({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed" ta="center" py="lg">
      {children}
    </Text>
  );
}
