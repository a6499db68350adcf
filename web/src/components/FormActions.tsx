import { Alert, Button, Code, CopyButton, Group, Stack } from "@mantine/core";
import type { FormEvent, ReactNode } from "react";
import { fieldErrorsOf } from "../api/client";
import { ErrorAlert } from "./ErrorAlert";

interface FormActionsProps {
  /** The submission: its error is shown here only when no field of the form names it. */
  mutation: { error: unknown; isPending: boolean };
  errorTitle: string;
  onCancel(): void;
  submitLabel: string;
  disabled?: boolean;
  color?: string;
}

/** The end of a dialog's form: what went wrong (unless a field says it), Cancel, and submit. */
export function FormActions({
  mutation,
  errorTitle,
  onCancel,
  submitLabel,
  disabled,
  color,
}: FormActionsProps) {
  const { error } = mutation;
  return (
    <>
      {error !== null && error !== undefined && Object.keys(fieldErrorsOf(error)).length === 0 && (
        <ErrorAlert error={error} title={errorTitle} />
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" color={color} loading={mutation.isPending} disabled={disabled}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}

interface DialogFormProps extends FormActionsProps {
  /** The submission, run with the fields as they stand (its function reads them). */
  mutation: FormActionsProps["mutation"] & { mutate(variables: undefined): void };
  /** The fields. */
  children: ReactNode;
}

/**
 * A dialog's form: its fields, then {@link FormActions}; submitting runs its mutation. The
 * browser's own checks are off (`noValidate`): the server's answer names the field to correct.
 */
export function DialogForm({ children, ...actions }: DialogFormProps) {
  function submit(event: FormEvent) {
    event.preventDefault();
    actions.mutation.mutate(undefined);
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {children}
        <FormActions {...actions} />
      </Stack>
    </form>
  );
}

interface ShownOnceProps {
  title: string;
  children: ReactNode;
  /** The secret to copy now (a token, a generated password); none when the operator chose it. */
  secret?: string;
  copyLabel: string;
  onDone(): void;
}

/** A secret the server shows only this once: copy it now, then Done. */
export function ShownOnce({ title, children, secret, copyLabel, onDone }: ShownOnceProps) {
  return (
    <Stack gap="sm">
      <Alert color="green" variant="light" title={title}>
        {children}
      </Alert>
      {secret && <Code block>{secret}</Code>}
      <Group justify="space-between">
        {secret ? (
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? "Copied" : copyLabel}
              </Button>
            )}
          </CopyButton>
        ) : (
          <span />
        )}
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
