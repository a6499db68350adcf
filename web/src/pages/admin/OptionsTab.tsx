import {
  Button,
  Divider,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useState } from "react";
import { api, fieldErrorsOf } from "../../api/client";
import { useOptions } from "../../api/queries";
import type { PendingChange, ProcessOptions } from "../../api/types";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { PendingChanges } from "./PendingChanges";

function Row({ label, description, children }: { label: string; description: string; children: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xl">
      <div style={{ maxWidth: 460 }}>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {description}
        </Text>
      </div>
      <Group gap="md" wrap="nowrap">
        {children}
      </Group>
    </Group>
  );
}

export function OptionsTab() {
  const queryClient = useQueryClient();
  const options = useOptions();
  const [draft, setDraft] = useState<ProcessOptions | undefined>();
  useEffect(() => {
    if (options.data) setDraft(structuredClone(options.data));
  }, [options.data]);
  const save = useMutation({
    // Only the options that differ are sent: a change that needs a second administrator then
    // shows just what was meant.
    mutationFn: (next: ProcessOptions) => {
      const current = options.data as Record<string, unknown> | undefined;
      const patch = Object.fromEntries(
        Object.entries(next).filter(
          ([key, value]) => JSON.stringify(value) !== JSON.stringify(current?.[key]),
        ),
      );
      return api.patch<ProcessOptions | { pendingChange: PendingChange }>("/api/v1/options", patch);
    },
    onSuccess: (answer) => {
      if ("pendingChange" in answer) {
        void queryClient.invalidateQueries({ queryKey: ["pending-changes"] });
        if (options.data) setDraft(structuredClone(options.data));
        notifications.show({
          color: "orange",
          message: "The change weakens a four-eyes rule: it waits for another administrator to approve it.",
        });
        return;
      }
      queryClient.setQueryData(["options"], answer);
      void queryClient.invalidateQueries({ queryKey: ["processes"] });
      notifications.show({ color: "green", message: "The process options are saved." });
    },
  });
  if (options.isPending || (!draft && !options.error)) return <Loading />;
  if (options.error || !draft) return <ErrorAlert error={options.error} />;
  const errors = fieldErrorsOf(save.error);
  const set = (next: Partial<ProcessOptions>) => setDraft({ ...draft, ...next });
  const choose = (
    key: "pinLength" | "pukLength" | "certificates" | "cardEndState" | "certificateEndState",
  ) => (
    <Switch
      label="Operators may choose"
      checked={draft[key].operatorMayChoose}
      onChange={(e) =>
        set({
          [key]: { ...draft[key], operatorMayChoose: e.currentTarget.checked },
        } as Partial<ProcessOptions>)
      }
    />
  );
  const inconsistent =
    draft.cardEndState.default === "active" && draft.certificateEndState.default === "onHold";
  function submit(event: FormEvent) {
    event.preventDefault();
    if (draft) save.mutate(draft);
  }
  return (
    <Paper p="lg" maw={920}>
      <PendingChanges kinds={["options"]} />
      <form onSubmit={submit}>
        <Stack gap="md">
          <Title order={2} fz="md">
            Issue multiple cards
          </Title>
          <Text size="xs" c="dimmed" mt={-8}>
            Letting a batch end in active cards or valid certificates (by default or by the operator's choice)
            skips the issuing authority's activation: that change waits for a second administrator.
          </Text>
          <Row
            label="PIN length"
            description="Default digits of a new PIN (4–12, within each template's bounds)."
          >
            <NumberInput
              aria-label="Default PIN length"
              min={4}
              max={12}
              w={90}
              value={draft.pinLength.default}
              onChange={(v) => set({ pinLength: { ...draft.pinLength, default: Number(v) } })}
              error={errors["pinLength.default"]}
            />
            {choose("pinLength")}
          </Row>
          <Row label="PUK length" description="Default digits of a new PUK (8–16).">
            <NumberInput
              aria-label="Default PUK length"
              min={8}
              max={16}
              w={90}
              value={draft.pukLength.default}
              onChange={(v) => set({ pukLength: { ...draft.pukLength, default: Number(v) } })}
              error={errors["pukLength.default"]}
            />
            {choose("pukLength")}
          </Row>
          <Row
            label="Certificates to issue"
            description="Whether operators may issue a subset of the template's certificate profiles; otherwise all are issued."
          >
            {choose("certificates")}
          </Row>
          <Row
            label="Card end state"
            description="Issued cards wait for activation; active cards can be used at once."
          >
            <SegmentedControl
              aria-label="Default card end state"
              data={[
                { value: "issued", label: "Issued" },
                { value: "active", label: "Active" },
              ]}
              value={draft.cardEndState.default}
              onChange={(v) =>
                set({ cardEndState: { ...draft.cardEndState, default: v as "issued" | "active" } })
              }
            />
            {choose("cardEndState")}
          </Row>
          <Row label="Certificate end state" description="On hold until activation, or valid from the start.">
            <SegmentedControl
              aria-label="Default certificate end state"
              data={[
                { value: "onHold", label: "On hold" },
                { value: "valid", label: "Valid" },
              ]}
              value={draft.certificateEndState.default}
              onChange={(v) =>
                set({
                  certificateEndState: { ...draft.certificateEndState, default: v as "onHold" | "valid" },
                })
              }
            />
            {choose("certificateEndState")}
          </Row>
          {inconsistent && (
            <Text size="sm" c="orange.9" role="alert">
              Default card end state Active with certificates On hold would make unusable cards; operators
              would have to change one of them each time.
            </Text>
          )}
          <Row
            label="PUK delivery"
            description="Print the PUK on the PIN letter too, or keep it only encrypted for unblocking."
          >
            <SegmentedControl
              aria-label="PUK delivery"
              data={[
                { value: "none", label: "Not printed" },
                { value: "print", label: "Printed" },
              ]}
              value={draft.pukDelivery}
              onChange={(v) => set({ pukDelivery: v as "none" | "print" })}
            />
          </Row>
          <Divider />
          <Title order={2} fz="md">
            Requests and activation
          </Title>
          <Row
            label="Approval step"
            description="Card requests wait for an approver (four eyes). Off: requests are approved at once — switching it off waits for a second administrator."
          >
            <Switch
              aria-label="Approval step"
              checked={draft.approvalStep}
              onChange={(e) => set({ approvalStep: e.currentTarget.checked })}
            />
          </Row>
          <Row
            label="Several active cards per user"
            description="Off: a user holds at most one card in use or on its way."
          >
            <Switch
              aria-label="Several active cards per user"
              checked={draft.severalActiveCards}
              onChange={(e) => set({ severalActiveCards: e.currentTarget.checked })}
            />
          </Row>
          {save.error && <ErrorAlert error={save.error} title="The options were not saved" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => options.data && setDraft(structuredClone(options.data))}>
              Undo changes
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save options
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
