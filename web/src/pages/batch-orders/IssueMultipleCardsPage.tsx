import { Checkbox, Grid, Group, NumberInput, Paper, Radio, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle, IconInfoCircle } from "@tabler/icons-react";
import { useState } from "react";
import { fieldErrorsOf } from "../../api/client";
import { useOptions, useTemplates } from "../../api/queries";
import type { CardTemplate, IssueOptions, ProcessOptions } from "../../api/types";
import { ErrorAlert, Loading, Notice } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { pinLengthBounds, pukLengthBounds } from "../../domain";
import { BatchOrderPage, StepFooter, useStartBatchOrder } from "./BatchOrderPage";
import { type CardSelection, describeSelection } from "./CardBatchSearch";

type EndStates = Pick<IssueOptions, "cardEndState" | "certificateEndState">;
type EndStateKey = keyof EndStates;

/** The templates the selected cards are made from, as far as the selection tells. */
function templatesOf(selection: CardSelection, all: CardTemplate[]): CardTemplate[] {
  const names =
    selection.kind === "ids"
      ? new Set(selection.cards.map((card) => card.template))
      : selection.filter.template
        ? new Set([selection.filter.template])
        : new Set(all.map((t) => t.name));
  return all.filter((t) => names.has(t.name));
}

type Bounds = { readonly min: number; readonly max: number };

/** The secrets whose length an order may choose, within the bounds the server checks (src/domain). */
const secrets = [
  { key: "pinLength", name: "PIN", absolute: pinLengthBounds },
  { key: "pukLength", name: "PUK", absolute: pukLengthBounds },
] as const;
type SecretKey = (typeof secrets)[number]["key"];

/** PIN or PUK bounds that hold for every template in the selection. */
function boundsOf(templates: CardTemplate[], key: SecretKey, absolute: Bounds): Bounds {
  return {
    min: Math.max(absolute.min, ...templates.map((t) => t[key].min)),
    max: Math.min(absolute.max, ...templates.map((t) => t[key].max)),
  };
}

const clamp = (value: number, { min, max }: Bounds) => Math.min(max, Math.max(min, value));

/**
 * "authentication — P-256": the kind only when the profile's name does not already say it
 * (issue 13 found "authentication (authentication, P-256)").
 */
function profileLabel(profile: { name: string; kind: string; keyAlgorithm: string }): string {
  const kind = profile.name.toLowerCase() === profile.kind.toLowerCase() ? "" : ` (${profile.kind})`;
  return `${profile.name}${kind} — ${profile.keyAlgorithm}`;
}

interface OptionsStepProps {
  selection: CardSelection;
  options: ProcessOptions;
  templates: CardTemplate[];
  onCancel(): void;
  onBack(): void;
}

/**
 * The options step: only what the deployment lets operators choose, preset with its defaults.
 * An active card whose certificates are on hold is explained here, before Next.
 */
function OptionsStep({ selection, options, templates, onCancel, onBack }: OptionsStepProps) {
  const selected = templatesOf(selection, templates);
  const single = selected.length === 1 ? selected[0] : undefined;
  const bounds = {
    pinLength: boundsOf(selected, "pinLength", pinLengthBounds),
    pukLength: boundsOf(selected, "pukLength", pukLengthBounds),
  };
  const [lengths, setLengths] = useState<Record<SecretKey, number | string>>(() => ({
    pinLength: clamp(options.pinLength.default, bounds.pinLength),
    pukLength: clamp(options.pukLength.default, bounds.pukLength),
  }));
  const [certificates, setCertificates] = useState<string[]>(single?.profiles.map((p) => p.name) ?? []);
  const [ends, setEnds] = useState<Required<EndStates>>({
    cardEndState: options.cardEndState.default,
    certificateEndState: options.certificateEndState.default,
  });

  const choose = {
    pinLength: options.pinLength.operatorMayChoose,
    pukLength: options.pukLength.operatorMayChoose,
    certificates: options.certificates.operatorMayChoose && Boolean(single),
    cardEndState: options.cardEndState.operatorMayChoose,
    certificateEndState: options.certificateEndState.operatorMayChoose,
  };
  const effective = (key: EndStateKey) => (choose[key] ? ends[key] : options[key].default);
  const inconsistent =
    effective("cardEndState") === "active" && effective("certificateEndState") === "onHold";

  const problems: Record<string, string> = {};
  const inRange = (value: number | string, b: Bounds) =>
    typeof value === "number" && value >= b.min && value <= b.max;
  for (const { key, name } of secrets)
    if (choose[key] && !inRange(lengths[key], bounds[key]))
      problems[key] = `Choose a ${name} length from ${bounds[key].min} to ${bounds[key].max} digits.`;
  if (choose.certificates && certificates.length === 0)
    problems.certificates = "Choose at least one certificate to issue.";

  const order = useStartBatchOrder(
    "CardsBoProcIssueMultiple",
    (answer) =>
      `${plural(answer.claimed, "card")} will be issued${answer.skipped.length ? `; ${plural(answer.skipped.length, "card")} skipped` : ""}.`,
  );
  function start() {
    const chosen: IssueOptions = {
      ...(choose.pinLength && { pinLength: Number(lengths.pinLength) }),
      ...(choose.pukLength && { pukLength: Number(lengths.pukLength) }),
      // All of the template's certificates is the default: send a choice only when it is a subset.
      ...(choose.certificates && single && certificates.length < single.profiles.length && { certificates }),
      ...(choose.cardEndState && { cardEndState: ends.cardEndState }),
      ...(choose.certificateEndState && { certificateEndState: ends.certificateEndState }),
    };
    order.mutate({ selection, body: { options: chosen } });
  }
  const serverErrors = fieldErrorsOf(order.error);
  const errorAt = (name: string) => problems[name] ?? serverErrors[`options.${name}`] ?? serverErrors[name];
  const blocked = inconsistent || Object.keys(problems).length > 0;

  return (
    <Paper p="lg">
      <Stack gap="md">
        <div>
          <Title order={2} fz="md">
            Options
          </Title>
          <Text size="sm" c="dimmed">
            You are about to issue{" "}
            {describeSelection(
              selection,
              "card",
              // Every card matching a search of any template may be of one template only: say none.
              selection.kind === "filter" && !selection.filter.template
                ? ""
                : single
                  ? ` of the template ${single.name}`
                  : ` of ${selected.length} templates`,
            )}
            . Check the options, then click Next.
          </Text>
        </div>
        <Grid gap="xl">
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Stack gap="md">
              {secrets.map(({ key, name }) =>
                choose[key] ? (
                  <NumberInput
                    key={key}
                    label={`${name} length`}
                    // Templates bound the PIN; the PUK's bounds are the same for every template.
                    description={`Digits; ${bounds[key].min}–${bounds[key].max}${key === "pinLength" ? ` for ${single ? "this template" : "these templates"}` : ""}.`}
                    min={bounds[key].min}
                    max={bounds[key].max}
                    // A length out of bounds stays as typed and is explained: clamped on leaving
                    // the field, a 3 silently became a 4.
                    clampBehavior="none"
                    value={lengths[key]}
                    onChange={(value) => setLengths((current) => ({ ...current, [key]: value }))}
                    allowDecimal={false}
                    error={errorAt(key)}
                    w={220}
                  />
                ) : (
                  <FixedOption key={key} label={`${name} length`} value={`${options[key].default} digits`} />
                ),
              )}
              <FixedOption
                label="PUK delivery"
                value={
                  options.pukDelivery === "print"
                    ? "Printed on the PIN letter"
                    : "Not printed: stored encrypted, for unblocking only"
                }
              />
              {choose.certificates && single ? (
                <Checkbox.Group
                  label="Certificates to issue"
                  value={certificates}
                  onChange={setCertificates}
                  error={errorAt("certificates")}
                >
                  <Stack gap={6} mt={6}>
                    {single.profiles.map((profile) => (
                      <Checkbox key={profile.name} value={profile.name} label={profileLabel(profile)} />
                    ))}
                  </Stack>
                </Checkbox.Group>
              ) : (
                <FixedOption
                  label="Certificates to issue"
                  value={
                    options.certificates.operatorMayChoose
                      ? "All of each card's template. To choose, search with one card template."
                      : "All of each card's template (set by the deployment)."
                  }
                />
              )}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Stack gap="md">
              {endStateChoices.map(({ key, label, choices }) => (
                <EndStateChoice
                  key={key}
                  label={label}
                  mayChoose={choose[key]}
                  value={effective(key)}
                  onChange={(value) => setEnds((current) => ({ ...current, [key]: value }))}
                  choices={choices}
                />
              ))}
            </Stack>
          </Grid.Col>
        </Grid>
        {inconsistent && (
          <Notice color="orange" urgent icon={IconAlertTriangle} title="These end states do not go together">
            An active card whose certificates are on hold could not be used: every relying party would refuse
            its certificates. Choose certificate end state <b>Valid</b> for active cards, or card end state{" "}
            <b>Issued</b> and activate the cards later.
          </Notice>
        )}
        <StepFooter
          onBack={onBack}
          onCancel={onCancel}
          onNext={start}
          order={order}
          // An option the server refused is named at its field.
          showError={!Object.keys(serverErrors).some((k) => k.startsWith("options."))}
          missing="Issue multiple cards is not offered by this Tessera server yet: nothing was started, and the cards stay approved."
          blocked={blocked}
        />
      </Stack>
    </Paper>
  );
}

const endStateChoices: { key: EndStateKey; label: string; choices: EndStateChoiceProps["choices"] }[] = [
  {
    key: "cardEndState",
    label: "Card end state",
    choices: [
      {
        value: "issued",
        label: "Issued",
        description: "The card waits for activation when the holder receives it.",
      },
      { value: "active", label: "Active", description: "The card can be used at once." },
    ],
  },
  {
    key: "certificateEndState",
    label: "Certificate end state",
    choices: [
      {
        value: "onHold",
        label: "On hold",
        description: "Published as on hold in the CRL and OCSP until activation.",
      },
      { value: "valid", label: "Valid", description: "Certificates are good from the start." },
    ],
  },
];

interface EndStateChoiceProps {
  label: string;
  /** Whether the deployment lets operators choose; otherwise the default is shown, fixed. */
  mayChoose: boolean;
  value: string;
  onChange(value: string): void;
  choices: { value: string; label: string; description: string }[];
}

/** An end state the operator picks, or the deployment's fixed one. */
function EndStateChoice({ label, mayChoose, value, onChange, choices }: EndStateChoiceProps) {
  if (!mayChoose)
    return <FixedOption label={label} value={choices.find((c) => c.value === value)?.label ?? value} />;
  return (
    <Radio.Group label={label} value={value} onChange={onChange}>
      <Stack gap={8} mt={6}>
        {choices.map((choice) => (
          <Radio key={choice.value} {...choice} />
        ))}
      </Stack>
    </Radio.Group>
  );
}

function FixedOption({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Group gap={6} mt={2} wrap="nowrap" align="flex-start">
        <IconInfoCircle
          size={16}
          aria-hidden
          style={{ flex: "none", marginTop: 2, color: "var(--mantine-color-dimmed)" }}
        />
        <Text size="sm" c="dimmed">
          {value}
        </Text>
      </Group>
    </div>
  );
}

/** The seed's use case: BATCH ORDERS → Issue multiple cards → Search → tick → Issue multiple cards → Next. */
export default function IssueMultipleCardsPage() {
  const options = useOptions();
  const templates = useTemplates();
  // Read here, not only inside the step below: react-query re-renders for the fields a render reads.
  const failed = options.error ?? templates.error;
  const loaded =
    options.data && templates.data ? { options: options.data, templates: templates.data } : undefined;
  return (
    <BatchOrderPage
      title="Issue multiple cards"
      description="Produce approved cards in one batch: keys on each card, certificates from the CA, PIN and PUK, the print file and the PIN letters."
      state="approved"
      middle="Options"
      action="Issue multiple cards"
    >
      {({ selection, back, cancel }) =>
        failed ? (
          <ErrorAlert error={failed} />
        ) : loaded ? (
          <OptionsStep
            selection={selection}
            options={loaded.options}
            templates={loaded.templates}
            onCancel={cancel}
            onBack={back}
          />
        ) : (
          <Loading label="Loading the options…" />
        )
      }
    </BatchOrderPage>
  );
}
