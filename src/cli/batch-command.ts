import type { DemoApp } from "../demo/seed-demo-data.js";
import type { IssueOptionsInput } from "../domain/issue-options.js";
import type { SymbolicName } from "../domain/process-catalog.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { usageError } from "./args.js";

type Flags = Map<string, string | boolean>;

const text = (flags: Flags, name: string) => {
  const value = flags.get(name);
  return typeof value === "string" ? value : undefined;
};
const integer = (flags: Flags, name: string) => {
  const value = text(flags, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`--${name} needs a whole number`);
  return Number(value);
};

/** The selection: --all-approved (or --all-issued) with filters, or --cards ID,ID,… */
function selection(flags: Flags, allFlag: string) {
  const cards = text(flags, "cards");
  if (cards)
    return {
      cardIds: cards
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean),
    };
  if (!flags.get(allFlag))
    throw usageError(`say which cards: --${allFlag} (with --template, --unit) or --cards ID,ID,…`);
  const filter: Record<string, string> = {};
  const template = text(flags, "template");
  const unit = text(flags, "unit");
  if (template) filter.template = template;
  if (unit) filter.organizationalUnit = unit;
  return { filter };
}

function issueOptions(flags: Flags): IssueOptionsInput {
  const options: IssueOptionsInput = {};
  const pin = integer(flags, "pin-length");
  const puk = integer(flags, "puk-length");
  const certificates = text(flags, "certificates");
  const cardEndState = text(flags, "card-end-state");
  const certificateEndState = text(flags, "certificate-end-state");
  if (pin !== undefined) options.pinLength = pin;
  if (puk !== undefined) options.pukLength = puk;
  if (certificates) options.certificates = certificates.split(",").map((c) => c.trim());
  if (cardEndState) {
    if (cardEndState !== "issued" && cardEndState !== "active")
      throw usageError("--card-end-state is issued or active");
    options.cardEndState = cardEndState;
  }
  if (certificateEndState) {
    if (certificateEndState !== "onHold" && certificateEndState !== "valid")
      throw usageError("--certificate-end-state is onHold or valid");
    options.certificateEndState = certificateEndState;
  }
  return options;
}

/**
 * `tessera batch issue|activate …`: orders the batch as an operator, produces it in this
 * process (worker threads on every core), shows its progress, and exits non-zero when any card
 * failed.
 */
export async function runBatchCommand(
  app: DemoApp,
  sub: string | undefined,
  flags: Flags,
  actor: Actor,
): Promise<number> {
  let order: { symbolicName: SymbolicName; body: Record<string, unknown> };
  if (sub === "issue")
    order = {
      symbolicName: "CardsBoProcIssueMultiple",
      body: { ...selection(flags, "all-approved"), options: issueOptions(flags) },
    };
  else if (sub === "activate")
    order = { symbolicName: "CardsBoProcActivateMultiple", body: selection(flags, "all-issued") };
  else throw usageError("try: tessera batch issue --all-approved … or tessera batch activate --all-issued …");

  const { result } = await runProcess(app.services, actor, order.symbolicName, order.body);
  const { batchId, claimed, skipped } = result as {
    batchId: string;
    claimed: number;
    skipped: { cardId: string; reason: string }[];
  };
  process.stdout.write(
    `Batch ${batchId}: ${claimed} cards${skipped.length ? `, ${skipped.length} skipped` : ""}.\n`,
  );
  for (const s of skipped.slice(0, 20)) process.stdout.write(`  skipped ${s.cardId}: ${s.reason}\n`);

  app.runner.start();
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastLine = "";
  for (;;) {
    const batch = (await findBatch(app.services.store.db, batchId))!;
    const width = 30;
    const filled = batch.total ? Math.round(((batch.done + batch.failed) / batch.total) * width) : width;
    const line = `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${batch.done} done, ${batch.failed} failed, ${batch.left} left`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (line !== lastLine) process.stderr.write(`${line}\n`);
    lastLine = line;
    if (batch.state !== "running") {
      if (tty) process.stderr.write("\n");
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(
        `Batch ${batch.state}: ${batch.done} done, ${batch.failed} failed in ${seconds.toFixed(1)} s (${Math.round(batch.done / Math.max(seconds, 0.001))} cards/s).\n`,
      );
      return batch.failed > 0 ? 1 : 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
