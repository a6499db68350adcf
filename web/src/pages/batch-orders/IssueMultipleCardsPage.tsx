import {
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  NumberInput,
  Paper,
  Radio,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconInfoCircle } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { fieldErrorsOf, runProcess } from "../../api/client";
import { useOptions, useTemplates } from "../../api/queries";
import type { BatchOrderAnswer, CardTemplate, IssueOptions, ProcessOptions } from "../../api/types";
import { ErrorAlert, Loading } from "../../components/ErrorAlert";
import { plural } from "../../components/format";
import { PageHeader } from "../../components/PageHeader";
import { BatchOrderSteps } from "./BatchOrderSteps";
import { CardBatchSearch, type CardSelection } from "./CardBatchSearch";

type CardEndState = "issued" | "active";
type CertificateEndState = "onHold" | "valid";

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

/** PIN or PUK bounds that hold for every template in the selection. */
function boundsOf(templates: CardTemplate[], key: "pinLength" | "pukLength", absolute: [number, number]) {
  return {
    min: Math.max(absolute[0], ...templates.map((t) => t[key].min)),
    max: Math.min(absolute[1], ...templates.map((t) => t[key].max)),
  };
}

const clamp = (value: number, { min, max }: { min: number; max: number }) =>
  Math.min(max, Math.max(min, value));

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
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const selected = templatesOf(selection, templates);
  const single = selected.length === 1 ? selected[0] : undefined;
  const pinBounds = boundsOf(selected, "pinLength", [4, 12]);
  const pukBounds = boundsOf(selected, "pukLength", [8, 16]);
  const [pinLength, setPinLength] = useState<number | string>(clamp(options.pinLength.default, pinBounds));
  const [pukLength, setPukLength] = useState<number | string>(clamp(options.pukLength.default, pukBounds));
  const [certificates, setCertificates] = useState<string[]>(single?.profiles.map((p) => p.name) ?? []);
  const [cardEndState, setCardEndState] = useState<CardEndState>(options.cardEndState.default);
  const [certificateEndState, setCertificateEndState] = useState<CertificateEndState>(
    options.certificateEndState.default,
  );

  const choose = {
    pin: options.pinLength.operatorMayChoose,
    puk: options.pukLength.operatorMayChoose,
    certificates: options.certificates.operatorMayChoose && Boolean(single),
    cardEnd: options.cardEndState.operatorMayChoose,
    certificateEnd: options.certificateEndState.operatorMayChoose,
  };
  const effectiveCardEnd = choose.cardEnd ? cardEndState : options.cardEndState.default;
  const effectiveCertificateEnd = choose.certificateEnd
    ? certificateEndState
    : options.certificateEndState.default;
  const inconsistent = effectiveCardEnd === "active" && effectiveCertificateEnd === "onHold";

  const problems: Record<string, string> = {};
  const inRange = (value: number | string, b: { min: number; max: number }) =>
    typeof value === "number" && value >= b.min && value <= b.max;
  if (choose.pin && !inRange(pinLength, pinBounds))
    problems.pinLength = `Choose a PIN length from ${pinBounds.min} to ${pinBounds.max} digits.`;
  if (choose.puk && !inRange(pukLength, pukBounds))
    problems.pukLength = `Choose a PUK length from ${pukBounds.min} to ${pukBounds.max} digits.`;
  if (choose.certificates && certificates.length === 0)
    problems.certificates = "Choose at least one certificate to issue.";

  const order = useMutation({
    mutationFn: () => {
      const chosen: IssueOptions = {
        ...(choose.pin && { pinLength: Number(pinLength) }),
        ...(choose.puk && { pukLength: Number(pukLength) }),
        // All of the template's certificates is the default: send a choice only when it is a subset.
        ...(choose.certificates &&
          single &&
          certificates.length < single.profiles.length && { certificates }),
        ...(choose.cardEnd && { cardEndState }),
        ...(choose.certificateEnd && { certificateEndState }),
      };
      const target =
        selection.kind === "ids"
          ? { cardIds: selection.cards.map((c) => c.id) }
          : { filter: selection.filter };
      return runProcess<BatchOrderAnswer>("CardsBoProcIssueMultiple", { ...target, options: chosen });
    },
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: ["cards"] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      notifications.show({
        color: "green",
        title: "Batch started",
        message: `${answer.claimed !== undefined ? plural(answer.claimed, "card") : "The cards"} will be issued${answer.skipped?.length ? `; ${plural(answer.skipped.length, "card")} skipped` : ""}.`,
      });
      navigate(`/batches/${answer.batchId}`, { state: { skipped: answer.skipped ?? [] } });
    },
  });
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
            {selection.kind === "filter"
              ? `all ${plural(selection.count, "matching card")}`
              : plural(selection.count, "card")}
            {single
              ? ` of the template ${single.name}`
              : selected.length > 1
                ? ` of ${selected.length} templates`
                : ""}
            . Check the options, then click Next.
          </Text>
        </div>
        <Grid gap="xl">
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Stack gap="md">
              {choose.pin ? (
                <NumberInput
                  label="PIN length"
                  description={`Digits; ${pinBounds.min}–${pinBounds.max} for ${single ? "this template" : "these templates"}.`}
                  min={pinBounds.min}
                  max={pinBounds.max}
                  value={pinLength}
                  onChange={setPinLength}
                  allowDecimal={false}
                  error={errorAt("pinLength")}
                  w={220}
                />
              ) : (
                <FixedOption label="PIN length" value={`${options.pinLength.default} digits`} />
              )}
              {choose.puk ? (
                <NumberInput
                  label="PUK length"
                  description={`Digits; ${pukBounds.min}–${pukBounds.max}.`}
                  min={pukBounds.min}
                  max={pukBounds.max}
                  value={pukLength}
                  onChange={setPukLength}
                  allowDecimal={false}
                  error={errorAt("pukLength")}
                  w={220}
                />
              ) : (
                <FixedOption label="PUK length" value={`${options.pukLength.default} digits`} />
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
                      <Checkbox
                        key={profile.name}
                        value={profile.name}
                        label={`${profile.name} (${profile.kind}, ${profile.keyAlgorithm})`}
                      />
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
              {choose.cardEnd ? (
                <Radio.Group
                  label="Card end state"
                  value={cardEndState}
                  onChange={(v) => setCardEndState(v as CardEndState)}
                >
                  <Stack gap={8} mt={6}>
                    <Radio
                      value="issued"
                      label="Issued"
                      description="The card waits for activation when the holder receives it."
                    />
                    <Radio value="active" label="Active" description="The card can be used at once." />
                  </Stack>
                </Radio.Group>
              ) : (
                <FixedOption
                  label="Card end state"
                  value={options.cardEndState.default === "active" ? "Active" : "Issued"}
                />
              )}
              {choose.certificateEnd ? (
                <Radio.Group
                  label="Certificate end state"
                  value={certificateEndState}
                  onChange={(v) => setCertificateEndState(v as CertificateEndState)}
                >
                  <Stack gap={8} mt={6}>
                    <Radio
                      value="onHold"
                      label="On hold"
                      description="Published as on hold in the CRL and OCSP until activation."
                    />
                    <Radio value="valid" label="Valid" description="Certificates are good from the start." />
                  </Stack>
                </Radio.Group>
              ) : (
                <FixedOption
                  label="Certificate end state"
                  value={options.certificateEndState.default === "valid" ? "Valid" : "On hold"}
                />
              )}
            </Stack>
          </Grid.Col>
        </Grid>
        {inconsistent && (
          <Alert
            color="orange"
            variant="light"
            role="alert"
            icon={<IconAlertTriangle size={18} aria-hidden />}
            title="These end states do not go together"
          >
            An active card whose certificates are on hold could not be used: every relying party would refuse
            its certificates. Choose certificate end state <b>Valid</b> for active cards, or card end state{" "}
            <b>Issued</b> and activate the cards later.
          </Alert>
        )}
        {order.error && !Object.keys(serverErrors).some((k) => k.startsWith("options.")) && (
          <ErrorAlert
            error={order.error}
            title="The batch was not started"
            missing="Issue multiple cards is not offered by this Tessera server yet: nothing was started, and the cards stay approved."
          />
        )}
        <Group justify="space-between" pt="md" style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
          <Button variant="subtle" color="gray" onClick={onBack} disabled={order.isPending}>
            Back to the selection
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={onCancel} disabled={order.isPending}>
              Cancel
            </Button>
            <Button onClick={() => order.mutate()} disabled={blocked} loading={order.isPending}>
              Next
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
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
  const navigate = useNavigate();
  const [step, setStep] = useState<"select" | "options">("select");
  const [selection, setSelection] = useState<CardSelection | undefined>();
  const options = useOptions();
  const templates = useTemplates();
  // Cancel at any step before Next changes nothing: nothing was sent yet.
  const cancel = () => navigate("/batch-orders");
  const count = selection?.count ?? 0;
  const ready = useMemo(() => options.data && templates.data, [options.data, templates.data]);

  return (
    <>
      <PageHeader
        title="Issue multiple cards"
        trail={[{ label: "BATCH ORDERS", to: "/batch-orders" }]}
        description="Produce approved cards in one batch: keys on each card, certificates from the CA, PIN and PUK, the print file and the PIN letters."
      />
      <BatchOrderSteps active={step === "select" ? 0 : 1} middle="Options" />
      {step === "select" && (
        <CardBatchSearch
          state="approved"
          noun="card"
          selection={selection}
          onSelectionChange={setSelection}
          footer={
            <>
              <Button variant="default" onClick={cancel}>
                Cancel
              </Button>
              <Button disabled={count === 0} onClick={() => setStep("options")}>
                Issue multiple cards
              </Button>
            </>
          }
        />
      )}
      {step === "options" && selection && (
        <>
          {(options.error || templates.error) && <ErrorAlert error={options.error ?? templates.error} />}
          {!ready && !(options.error || templates.error) && <Loading label="Loading the options…" />}
          {options.data && templates.data && (
            <OptionsStep
              selection={selection}
              options={options.data}
              templates={templates.data}
              onCancel={cancel}
              onBack={() => setStep("select")}
            />
          )}
        </>
      )}
    </>
  );
}
