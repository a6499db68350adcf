import { Anchor, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { Batch, BatchDetail, BatchFilePart } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmDialog";
import { DownloadButton } from "../../components/DownloadButton";
import { formatDateTime, formatNumber, plural } from "../../components/format";
import { StateBadge } from "../../components/StateBadge";

/**
 * Whether production has really ended: a cancelled batch ends when the chunks that were in
 * production have finished (`finishing` holds until then).
 */
export function productionEnded(batch: Batch): boolean {
  return batch.state !== "running" && !batch.finishing;
}

/** What a batch does to its cards, in words: Issue multiple cards produces them, Activate multiple cards activates them. */
export interface BatchWords {
  /** Past participle for the cards done: "produced", "activated". */
  done: string;
  /** A card done, as its row says: "Produced". */
  doneLabel: string;
  /** A card not yet reached: "Not produced yet". */
  pendingLabel: string;
  /** The cards being worked on now: "In production". */
  inWork: string;
  /** While the batch runs: "The cards are being produced". */
  running: string;
  /** The state a cancelled batch gives its cards not started back in: "approved", "issued". */
  returnedTo: string;
}

const productionWords: BatchWords = {
  done: "produced",
  doneLabel: "Produced",
  pendingLabel: "Not produced yet",
  inWork: "In production",
  running: "The cards are being produced",
  returnedTo: "approved",
};

const activationWords: BatchWords = {
  done: "activated",
  doneLabel: "Activated",
  pendingLabel: "Not activated yet",
  inWork: "Being activated",
  running: "The cards are being activated",
  returnedTo: "issued",
};

/** The words of a batch's process: an activation batch produces nothing, and must not say so. */
export function batchWords(batch: Pick<Batch, "process">): BatchWords {
  return batch.process === "CardsBoProcActivateMultiple" ? activationWords : productionWords;
}

/** "Cancelled — 81 produced, 0 returned to approved", or while its chunks finish, what is going on. */
export function cancelOutcome(batch: Batch): string {
  const returned = batch.released;
  if (!productionEnded(batch)) {
    const finishing = batch.inProduction;
    return `Cancelled — ${plural(finishing, "card")} in production ${finishing === 1 ? "is" : "are"} being finished; ${formatNumber(returned)} returned to ${batchWords(batch).returnedTo}.`;
  }
  const failed = batch.failed > 0 ? `, ${formatNumber(batch.failed)} failed` : "";
  return `Cancelled — ${formatNumber(batch.done)} ${batchWords(batch).done}${failed}, ${formatNumber(returned)} returned to ${batchWords(batch).returnedTo}`;
}

/**
 * The batch's state in words: a completed batch with failed cards is "Completed with failures"
 * (amber, never green), a cancelled one whose chunks in production still finish "Cancelled — finishing".
 */
export function BatchStateBadge({ batch, size = "sm" }: { batch: Batch; size?: "xs" | "sm" | "md" | "lg" }) {
  const label =
    batch.state === "completed" && batch.failed > 0
      ? "Completed with failures"
      : batch.state === "cancelled" && !productionEnded(batch)
        ? "Cancelled — finishing"
        : batch.state === "running" && batch.waitingForBlankCardSince
          ? "Waiting for blank cards"
          : undefined;
  return (
    <StateBadge kind="batch" state={batch.state} size={size} label={label} toneOverride={label && "amber"} />
  );
}

/** "PIN 6 · PUK 8 · card issued · certificates on hold" */
export function optionsText(options: Record<string, unknown> | undefined): string {
  if (!options || Object.keys(options).length === 0) return "defaults";
  const word = (value: unknown) => (value === "onHold" ? "on hold" : String(value));
  const parts: string[] = [];
  if (options.pinLength !== undefined) parts.push(`PIN ${options.pinLength}`);
  if (options.pukLength !== undefined) parts.push(`PUK ${options.pukLength}`);
  if (Array.isArray(options.certificates)) parts.push(`only ${options.certificates.join(", ")}`);
  if (options.cardEndState !== undefined) parts.push(`card ${word(options.cardEndState)}`);
  if (options.certificateEndState !== undefined)
    parts.push(`certificates ${word(options.certificateEndState)}`);
  return parts.join(" · ") || "defaults";
}

const producesFiles = (batch: Batch) => batch.process === "CardsBoProcIssueMultiple";

function fileLabel(name: string, parts: BatchFilePart[] | undefined): string {
  if (!parts || parts.length <= 1) return `${name} (PDF)`;
  return `${name} (ZIP of ${parts.length} PDFs)`;
}

/**
 * The print file and PIN letters of an Issue multiple cards batch, each offered only to the
 * roles the deployment lets fetch it (the server says so in `mayDownload`): by default the
 * print file to production administrators, the PIN letters and their purge to PIN mailers.
 */
export function BatchDownloads({
  batch,
  compact = false,
}: {
  batch: Batch & Partial<Pick<BatchDetail, "printFile" | "pinLetters">>;
  compact?: boolean;
}) {
  // The batch list does not carry the parts; a batch read does. Without them, trust the totals.
  const hasPrint = batch.printFile ? batch.printFile.length > 0 : batch.done > 0;
  const hasLetters = batch.pinLetters ? batch.pinLetters.length > 0 : batch.done > 0;
  const mayPrint = batch.mayDownload.printFile;
  const mayLetters = batch.mayDownload.pinLetters;
  if (!producesFiles(batch) || !productionEnded(batch) || !hasPrint || !(mayPrint || mayLetters))
    return compact ? (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    ) : null;
  const base = `/api/v1/batches/${batch.id}`;
  if (compact)
    return (
      <>
        {mayPrint && (
          <Anchor href={`${base}/print-file`} download size="sm">
            Print file
          </Anchor>
        )}
        {mayLetters && !batch.pinLettersPurgedAt && (
          <Anchor href={`${base}/pin-letters`} download size="sm">
            PIN letters
          </Anchor>
        )}
      </>
    );
  return (
    <Group gap="xs">
      {mayPrint && (
        <DownloadButton href={`${base}/print-file`}>
          {fileLabel("Print file", batch.printFile)}
        </DownloadButton>
      )}
      {!mayLetters ? null : batch.pinLettersPurgedAt ? (
        <Text size="sm" c="dimmed">
          The PIN letters were purged on {formatDateTime(batch.pinLettersPurgedAt)}.
        </Text>
      ) : hasLetters ? (
        <>
          <DownloadButton href={`${base}/pin-letters`}>
            {fileLabel("PIN letters", batch.pinLetters)}
          </DownloadButton>
          <PurgePinLetters batch={batch} />
        </>
      ) : null}
      {/* The secrets are split (issue 8): say where the other file went, so nobody looks for it. */}
      {!mayLetters && (
        <Text size="sm" c="dimmed">
          The PIN letters are not yours to fetch: another role has them (by default the PIN mailer).
        </Text>
      )}
      {!mayPrint && (
        <Text size="sm" c="dimmed">
          The print file is not yours to fetch: another role has it (by default the production administrator).
        </Text>
      )}
    </Group>
  );
}

function PurgePinLetters({ batch }: { batch: Batch }) {
  const queryClient = useQueryClient();
  const purge = useMutation({
    mutationFn: () => api.delete(`/api/v1/batches/${batch.id}/pin-letters`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["batch", batch.id] });
      void queryClient.invalidateQueries({ queryKey: ["batches"] });
      notifications.show({ color: "green", message: "The PIN letters are purged." });
    },
  });
  return (
    <ConfirmButton
      label="Purge PIN letters"
      icon={IconTrash}
      title="Purge the PIN letters?"
      action={purge}
      errorTitle="Nothing was purged"
    >
      <Text size="sm">
        Purge them once they are printed. The PINs are stored nowhere else, so the letters can never be made
        again: a holder who loses theirs needs a PIN unblock.
      </Text>
    </ConfirmButton>
  );
}
