import { Button, Group, Modal, Stack } from "@mantine/core";
import type { Icon } from "@tabler/icons-react";
import { type ReactNode, useState } from "react";
import { ErrorAlert } from "./ErrorAlert";

/** The action a dialog confirms: a mutation that takes nothing. */
interface Confirmed {
  error: unknown;
  isPending: boolean;
  mutate(variables: undefined, options?: { onSuccess?(): void }): void;
}

interface ConfirmDialogProps {
  title: string;
  opened?: boolean;
  onClose(): void;
  /** What confirming does, said before it is done. */
  children: ReactNode;
  action: Confirmed;
  /** What the confirm button says. */
  confirmLabel: string;
  /** What the button that backs out says. */
  cancelLabel?: string;
  /** The title of the error, when the server refused. */
  errorTitle?: string;
  /** Runs the action; by default it is simply run. */
  onConfirm?(): void;
  /** Nothing is left to confirm (what it would act on has changed meanwhile). */
  confirmDisabled?: boolean;
}

/**
 * Asks before an action that cannot be undone (revoke, purge, cancel): what it does, why the server
 * refused it if it did, and a red button that does it.
 */
export function ConfirmDialog({
  title,
  opened = true,
  onClose,
  children,
  action,
  confirmLabel,
  cancelLabel = "Cancel",
  errorTitle,
  onConfirm = () => action.mutate(undefined),
  confirmDisabled = false,
}: ConfirmDialogProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Stack gap="sm">
        {children}
        {action.error !== null && action.error !== undefined && (
          <ErrorAlert error={action.error} title={errorTitle} />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            {cancelLabel}
          </Button>
          <Button color="red" loading={action.isPending} disabled={confirmDisabled} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

interface ConfirmButtonProps
  extends Omit<ConfirmDialogProps, "opened" | "onClose" | "confirmLabel" | "onConfirm"> {
  /** What the button (and the dialog's confirm button) says. */
  label: string;
  icon: Icon;
  /** Whether the dialog is open, for a page that must keep it while what it shows changes. */
  opened?: boolean;
  onOpenedChange?(opened: boolean): void;
}

/** A red button whose action asks first, in a {@link ConfirmDialog} that closes once it is done. */
export function ConfirmButton({
  label,
  icon: IconOf,
  action,
  opened,
  onOpenedChange,
  ...dialog
}: ConfirmButtonProps) {
  const [ownOpen, setOwnOpen] = useState(false);
  const open = opened ?? ownOpen;
  const setOpen = onOpenedChange ?? setOwnOpen;
  return (
    <>
      <Button
        color="red"
        variant="light"
        leftSection={<IconOf size={16} aria-hidden />}
        onClick={() => setOpen(true)}
      >
        {label}
      </Button>
      <ConfirmDialog
        {...dialog}
        opened={open}
        onClose={() => setOpen(false)}
        action={action}
        confirmLabel={label}
        onConfirm={() => action.mutate(undefined, { onSuccess: () => setOpen(false) })}
      />
    </>
  );
}
