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
import {
  cardEndStates,
  cardStateLabels,
  certificateEndStates,
  certificateStateLabels,
  pinLengthBounds,
  pukLengthBounds,
} from "../../domain";
import { PendingChanges } from "./PendingChanges";

function Row({ label, description, children }: { label: string; description: string; children: ReactNode }) {
  return (
    // On a phone the controls go under their description rather than past the window's edge.
    <Group justify="space-between" align="flex-start" gap="md">
      <div style={{ maxWidth: 460, flex: "1 1 16rem" }}>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {description}
        </Text>
      </div>
      <Group gap="md">{children}</Group>
    </Group>
  );
}

/** The secret lengths an order may choose, within the bounds the server checks (src/domain). */
const secretLengths = [
  { key: "pinLength", name: "PIN", bounds: pinLengthBounds, note: ", within each template's bounds" },
  { key: "pukLength", name: "PUK", bounds: pukLengthBounds, note: "" },
] as const;

/** What a batch leaves its cards and certificates in, by default. */
const endStates = [
  {
    key: "cardEndState",
    label: "Card end state",
    description: "Issued cards wait for activation; active cards can be used at once.",
    data: cardEndStates.map((value) => ({ value, label: cardStateLabels[value] })),
  },
  {
    key: "certificateEndState",
    label: "Certificate end state",
    description: "On hold until activation, or valid from the start.",
    data: certificateEndStates.map((value) => ({ value, label: certificateStateLabels[value] })),
  },
] as const;
const pukDeliveries = [
  { value: "none", label: "Not printed" },
  { value: "print", label: "Printed" },
] as const;

/** The rules of requests and activation, each on or off. */
const flags = [
  {
    key: "approvalStep",
    label: "Approval step",
    description:
      "Card requests wait for an approver (four eyes). Off: requests are approved at once — switching it off waits for a second administrator.",
  },
  {
    key: "severalActiveCards",
    label: "Several active cards per user",
    description: "Off: a user holds at most one card in use or on its way.",
  },
] as const;

/** One of a few named values, all in sight. */
function Choice<V extends string>({
  label,
  data,
  value,
  onChange,
}: {
  label: string;
  data: readonly { value: V; label: string }[];
  value: V;
  onChange(value: V): void;
}) {
  return (
    <SegmentedControl aria-label={label} data={[...data]} value={value} onChange={(v) => onChange(v as V)} />
  );
}

/** A whole number within bounds, in a box as narrow as its digits. */
function Count({
  label,
  min,
  max,
  value,
  onChange,
  error,
}: {
  label: string;
  min: number;
  max: number;
  value: number;
  onChange(value: number): void;
  error: string | undefined;
}) {
  // Mantine answers a string while the box is empty or half typed; the draft keeps numbers.
  return (
    <NumberInput
      aria-label={label}
      min={min}
      max={max}
      w={90}
      value={value}
      onChange={(v) => onChange(Number(v))}
      error={error}
    />
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
          {secretLengths.map(({ key, name, bounds, note }) => (
            <Row
              key={key}
              label={`${name} length`}
              description={`Default digits of a new ${name} (${bounds.min}–${bounds.max}${note}).`}
            >
              <Count
                label={`Default ${name} length`}
                min={bounds.min}
                max={bounds.max}
                value={draft[key].default}
                onChange={(v) => set({ [key]: { ...draft[key], default: v } })}
                error={errors[`${key}.default`]}
              />
              {choose(key)}
            </Row>
          ))}
          <Row
            label="Certificates to issue"
            description="Whether operators may issue a subset of the template's certificate profiles; otherwise all are issued."
          >
            {choose("certificates")}
          </Row>
          {endStates.map(({ key, label, description, data }) => (
            <Row key={key} label={label} description={description}>
              <Choice
                label={`Default ${label.toLowerCase()}`}
                data={data}
                value={draft[key].default}
                onChange={(v) => set({ [key]: { ...draft[key], default: v } } as Partial<ProcessOptions>)}
              />
              {choose(key)}
            </Row>
          ))}
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
            <Choice
              label="PUK delivery"
              data={pukDeliveries}
              value={draft.pukDelivery}
              onChange={(v) => set({ pukDelivery: v })}
            />
          </Row>
          <Divider />
          <Title order={2} fz="md">
            Requests and activation
          </Title>
          {flags.map(({ key, label, description }) => (
            <Row key={key} label={label} description={description}>
              <Switch
                aria-label={label}
                checked={draft[key]}
                onChange={(e) => set({ [key]: e.currentTarget.checked })}
              />
            </Row>
          ))}
          <Row
            label="Renewal window"
            description="Renew multiple cards takes cards that end within this many days (1–365)."
          >
            <Count
              label="Renewal window in days"
              min={1}
              max={365}
              value={draft.renewalWindowDays}
              onChange={(v) => set({ renewalWindowDays: v })}
              error={errors.renewalWindowDays}
            />
          </Row>
          <Row
            label="Holders activate their own cards"
            description="Cards produced as issued get a one-time code on the PIN letter for the page /activate, good for the days given (1–365)."
          >
            <Count
              label="Activation code validity in days"
              min={1}
              max={365}
              value={draft.holderActivation.codeValidDays}
              onChange={(v) => set({ holderActivation: { ...draft.holderActivation, codeValidDays: v } })}
              error={errors["holderActivation.codeValidDays"]}
            />
            <Switch
              aria-label="Holders activate their own cards"
              checked={draft.holderActivation.enabled}
              onChange={(e) =>
                set({ holderActivation: { ...draft.holderActivation, enabled: e.currentTarget.checked } })
              }
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
