import { Alert, type AlertProps, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { type Icon, IconAlertTriangle, IconPlugConnectedX } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { ApiError, messageOf } from "../api/client";

interface Props {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  /** What to say when this server does not have the route yet (features arriving in stages). */
  missing?: string;
}

interface NoticeProps extends Omit<AlertProps, "icon" | "variant" | "role"> {
  icon: Icon;
  /** Said at once by a screen reader (role="alert"): something went wrong or must be fixed. */
  urgent?: boolean;
}

/** A message in a light box with its icon: every notice of the UI looks the same. */
export function Notice({ icon: IconOf, urgent, ...alert }: NoticeProps) {
  return (
    <Alert
      variant="light"
      role={urgent ? "alert" : undefined}
      icon={<IconOf size={18} aria-hidden />}
      {...alert}
    />
  );
}

/** An API error as a sentence, never as JSON. */
export function ErrorAlert({ error, title, onRetry, missing }: Props) {
  if (error instanceof ApiError && error.isMissingRoute && missing)
    return (
      <Notice color="gray" icon={IconPlugConnectedX} title="Not available yet">
        {missing}
      </Notice>
    );
  return (
    <Notice color="red" urgent icon={IconAlertTriangle} title={title ?? "That did not work"}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{messageOf(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Notice>
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
