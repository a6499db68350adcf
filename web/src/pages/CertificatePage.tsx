import { Anchor, Button, Group, Modal, Paper, Select, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { Link, useParams } from "react-router";
import { api, runProcess } from "../api/client";
import { useCard } from "../api/queries";
import type { Certificate, CertificateProcessName, RevokeReason } from "../api/types";
import { reasonLabel, revocationReasonLabels } from "../audit-words";
import { useOperator } from "../auth/session";
import { DetailColumns } from "../components/DetailColumns";
import { Details, mono } from "../components/Details";
import { DownloadButton } from "../components/DownloadButton";
import { ErrorAlert, Loading } from "../components/ErrorAlert";
import { formatDateTime, shortSerial } from "../components/format";
import { PageHeader } from "../components/PageHeader";
import { PemBlock } from "../components/PemBlock";
import { Section } from "../components/Section";
import { StateBadge } from "../components/StateBadge";
import { canRunProcess, findProcess, revokeReasons } from "../domain";

/** The reasons an operator may give when revoking a certificate; "unspecified" last, as the least telling. */
const revokeReasonChoices = [...revokeReasons.filter((value) => value !== "unspecified"), "unspecified"].map(
  (value) => ({
    value,
    label: value === "keyCompromise" ? "Key compromise (lost or stolen)" : revocationReasonLabels[value]!,
  }),
);

interface Action {
  symbolicName: CertificateProcessName;
  label: string;
  states: string[];
  color?: string;
  question: string;
}

const actions: Action[] = [
  {
    symbolicName: "CertificatesProcHold",
    label: "Put on hold",
    states: ["valid"],
    color: "orange",
    question: "Put this certificate on hold? Relying parties refuse it until the hold is released.",
  },
  {
    symbolicName: "CertificatesProcRelease",
    label: "Release hold",
    states: ["onHold"],
    question: "Release the hold? The certificate is valid again at once (OCSP) and leaves the next CRL.",
  },
  {
    symbolicName: "CertificatesProcRevoke",
    label: "Revoke",
    states: ["valid", "onHold"],
    color: "red",
    question: "Revoke this certificate for good? This cannot be undone.",
  },
];

function ConfirmCertificateAction({
  certificate,
  action,
  onClose,
}: {
  certificate: Certificate;
  action: Action;
  onClose(): void;
}) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState<RevokeReason | null>(null);
  const run = useMutation({
    mutationFn: (revokedFor: RevokeReason | undefined) =>
      revokedFor
        ? runProcess("CertificatesProcRevoke", { serial: certificate.serial, reason: revokedFor })
        : runProcess(action.symbolicName, { serial: certificate.serial }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["certificate", certificate.serial] });
      void queryClient.invalidateQueries({ queryKey: ["certificates"] });
      if (certificate.cardId) void queryClient.invalidateQueries({ queryKey: ["card", certificate.cardId] });
      notifications.show({
        color: "green",
        message: `${findProcess(action.symbolicName)?.name ?? action.label}: done.`,
      });
      onClose();
    },
  });
  const needsReason = action.symbolicName === "CertificatesProcRevoke";
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!needsReason) run.mutate(undefined);
    else if (reason) run.mutate(reason);
  }
  return (
    <Modal
      opened
      onClose={onClose}
      title={`${action.label} — certificate ${shortSerial(certificate.serial)}`}
      centered
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm">{action.question}</Text>
          {needsReason && (
            <Select
              label="Reason"
              required
              placeholder="Why is it revoked?"
              data={revokeReasonChoices}
              value={reason}
              // The choices are revokeReasons.
              onChange={(value) => setReason(value as RevokeReason | null)}
            />
          )}
          {run.error && <ErrorAlert error={run.error} title="Nothing was changed" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              color={action.color}
              loading={run.isPending}
              disabled={needsReason && !reason}
            >
              {action.label}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function CertificatePage() {
  const { serial } = useParams();
  const operator = useOperator();
  const [open, setOpen] = useState<Action | undefined>();
  const result = useQuery({
    queryKey: ["certificate", serial],
    queryFn: ({ signal }) =>
      api.get<{ certificate: Certificate; pem: string }>(
        `/api/v1/certificates/${encodeURIComponent(serial!)}`,
        signal,
      ),
    enabled: Boolean(serial),
  });
  // A hold is released only while the certificate's card is active (issue 8): the card's state
  // decides whether Release hold is offered.
  const card = useCard(result.data?.certificate.cardId ?? undefined);
  const trail = [{ label: "Certificates", to: "/certificates" }];
  if (result.isPending) return <Loading label="Loading the certificate…" />;
  if (!result.data)
    return (
      <>
        <PageHeader title="Certificate" trail={trail} />
        <ErrorAlert error={result.error} missing="Certificates are not offered by this Tessera server yet." />
      </>
    );
  const { certificate: c, pem } = result.data;
  const base = `/api/v1/certificates/${encodeURIComponent(c.serial)}`;
  const cardIsActive = !c.cardId || card.data?.state === "active";
  const mayRun = actions.filter(
    (a) => a.states.includes(c.state) && canRunProcess(operator.roles, a.symbolicName),
  );
  const offered = mayRun.filter((a) => a.symbolicName !== "CertificatesProcRelease" || cardIsActive);
  const heldForActivation = card.data && mayRun.length > offered.length ? card.data : undefined;
  // A hold is recorded as a revocation with the reason certificateHold (RFC 5280 §5.3.1), but to
  // an operator it is not one: the certificate comes back when its card is activated.
  const revocation: [string, ReactNode][] =
    c.state === "onHold"
      ? [["On hold since", formatDateTime(c.revokedAt)]]
      : [
          ["Revoked", formatDateTime(c.revokedAt)],
          ["Revocation reason", c.revocationReason && reasonLabel(c.revocationReason)],
        ];
  return (
    <>
      <PageHeader
        title={`Certificate ${shortSerial(c.serial)}`}
        trail={trail}
        badge={<StateBadge kind="certificate" state={c.state} size="lg" />}
        actions={
          <>
            <DownloadButton href={`${base}?format=pem`} download={`${c.serial}.pem`}>
              PEM
            </DownloadButton>
            <DownloadButton href={`${base}?format=der`} download={`${c.serial}.cer`}>
              DER
            </DownloadButton>
          </>
        }
      />
      <DetailColumns
        aside={
          <Section title="PEM">
            <PemBlock pem={pem} label="The certificate in PEM" maxHeight={320} />
          </Section>
        }
      >
        <Paper p="lg">
          <Details
            cols={2}
            items={[
              ["Serial", mono(c.serial)],
              ["Profile", c.profile],
              ["Subject", c.subject],
              [
                "Card",
                c.cardId ? (
                  <Anchor component={Link} to={`/cards/${c.cardId}`} key="card" size="sm">
                    {card.data?.cardNumber ? `Card ${card.data.cardNumber}` : "Open the card"}
                  </Anchor>
                ) : null,
              ],
              ["Valid from", formatDateTime(c.notBefore)],
              ["Valid to", formatDateTime(c.notAfter)],
              ...revocation,
            ]}
          />
        </Paper>
        {(offered.length > 0 || heldForActivation) && (
          <Section title="What can be done now">
            {heldForActivation && (
              <Text size="sm" c="dimmed" mb={offered.length > 0 ? "sm" : 0}>
                {heldForActivation.state === "issued"
                  ? `The hold cannot be released here: card ${heldForActivation.cardNumber} is issued, not yet activated, and its certificates become valid when an issuing authority activates it.`
                  : `The hold cannot be released here: card ${heldForActivation.cardNumber} is ${heldForActivation.state}, and a hold is released only while its card is active.`}
              </Text>
            )}
            <Group gap="xs">
              {offered.map((action) => (
                <Button
                  key={action.symbolicName}
                  variant="light"
                  color={action.color}
                  onClick={() => setOpen(action)}
                >
                  {action.label}
                </Button>
              ))}
            </Group>
          </Section>
        )}
      </DetailColumns>
      {open && <ConfirmCertificateAction certificate={c} action={open} onClose={() => setOpen(undefined)} />}
    </>
  );
}
