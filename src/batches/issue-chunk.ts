import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { activationCodeFrom, formatActivationCode } from "../domain/activation-code.js";
import { type Batch, issueOptionsOf } from "../domain/batch.js";
import { printedNameOf } from "../domain/card-fields.js";
import type { IssueOptions } from "../domain/issue-options.js";
import type { ProcessOptions } from "../domain/process-options.js";
import { severalActiveCardsRefusal } from "../domain/several-active-cards.js";
import type { ChunkCardResult, ChunkJob, ChunkResult, ChunkTemplate } from "../production/chunk-job.js";
import type { Actor, Services } from "../services/services.js";
import { saveActivationCodes } from "../store/activation-codes.js";
import { lockHeldChunk } from "../store/batch-chunks.js";
import { findPendingCardsOfChunk, type PendingCard } from "../store/batch-items.js";
import { countCardsOfUsers, findCardsByIds } from "../store/cards.js";
import { clearChipJournal } from "../store/chip-journal.js";
import { type Db, transact } from "../store/database.js";
import { lockAllUntilCommit } from "../store/transaction-locks.js";
import { isChipJob, produceChipChunk } from "./produce-chip-chunk.js";
import { recordIssuedChunk } from "./record-chunk.js";
import { revokeJournalled } from "./revoke-journalled.js";
import type { ChunkProducer, HeldChunk } from "./scheduler.js";
import { wipeJournalledChips } from "./wipe-journalled-chips.js";

/** What issuing a chunk needs besides the services. */
export interface IssueRun {
  readonly services: Services;
  readonly log: Logger;
  readonly producer: ChunkProducer;
  /** Where the workers write the chunks' print-file and PIN-letter parts until they are recorded. */
  readonly workDir: string;
  /** The sender of the PIN letters. */
  readonly organizationName: string;
  /** The holders' activation page, printed on the PIN letters with each card's code. */
  readonly activationUrl: string;
}

/**
 * Issue multiple cards, one chunk ("Click Next to issue the cards"): the chunk's cards are made
 * in a production worker (`production/produce-card.ts` says what happens to each), then recorded
 * in one transaction (`record-chunk.ts`): certificates, tokens, end states, the chunk's parts.
 * Cards that would end active while their holder has an active card, and several are not
 * allowed, are refused up front and nothing is made for them.
 */
export async function issueChunk(run: IssueRun, held: HeldChunk, batch: Batch, actor: Actor): Promise<void> {
  const { services, log } = run;
  // A guard behind the batch order's own refusal (a batch ordered before a restart without
  // TESSERA_PUBLIC_URL): sign nothing; after the last attempt the cards fail with the reason.
  if (services.issuingRefusal) throw new Error(services.issuingRefusal);
  const options = issueOptionsOf(batch);
  const pending = await findPendingCardsOfChunk(services.store.db, batch.id, held.chunk);
  const processOptions = await services.getOptions();
  const { cards, refused } = await refuseSeveralActive(services, options, processOptions, pending);
  // Holders activate their own cards: each card that leaves production issued gets a one-time
  // code, printed on its letter here and kept (as a hash) when the chunk is recorded.
  const { holderActivation } = processOptions;
  const codes =
    holderActivation.enabled && options.cardEndState === "issued"
      ? new Map(cards.map((card) => [card.cardId, activationCodeFrom(randomBytes(12))]))
      : undefined;
  const dir = path.join(run.workDir, batch.id);
  // The work files hold PINs until they are recorded: owner only.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const job: ChunkJob = {
    batchId: batch.id,
    batchNumber: batch.number,
    chunk: held.chunk,
    templates: chunkTemplates(services, options, cards),
    cards: cards.map(({ userId: _, predecessorId: __, holder: { nameOnCard, ...holder }, ...card }) => ({
      ...card,
      ...(codes && { activationCode: formatActivationCode(codes.get(card.cardId)!) }),
      // The card shows and certifies the name on card where the legal name does not fit it.
      holder: { ...holder, ...printedNameOf({ ...holder, nameOnCard }) },
    })),
    pinLength: options.pinLength,
    pukLength: options.pukLength,
    certificateEndState: options.certificateEndState,
    pukPrinted: options.pukPrinted,
    organizationName: run.organizationName,
    ...(codes && { activationUrl: run.activationUrl }),
    notBefore: services.clock().toISOString(),
    printFilePath: path.join(dir, `print-${held.chunk}.pdf`),
    pinLettersPath: path.join(dir, `pin-letters-${held.chunk}.pdf`),
  };
  const chip = isChipJob(job);
  // From here on the work files may hold PIN letters: removed however production ends, even
  // when it fails after writing them (a worker that ends before it answers).
  try {
    if (chip) await resumeChipCards(services, batch, actor, job);
    const result: ChunkResult =
      cards.length === 0
        ? { batchId: batch.id, chunk: held.chunk, cards: [], pages: 0 }
        : chip
          ? await produceChipChunk(services, job, held, log)
          : await run.producer.run(job);
    result.cards.push(...refused);
    const parts =
      result.pages > 0
        ? { print: await readFile(job.printFilePath), pinLetters: await readFile(job.pinLettersPath) }
        : { print: undefined, pinLetters: undefined };
    const at = services.clock().toISOString();
    log.debug(
      { batchId: batch.id, chunk: held.chunk, cards: result.cards.length },
      "chunk produced; recording",
    );
    let failedChips: string[] = [];
    const recorded = await transact(services.store, async (trx) => {
      if (!(await lockHeldChunk(trx, services.store.dialect, held))) return undefined;
      await refuseActiveTaken(services, trx, options, cards, result);
      const recorded = await recordIssuedChunk(services, trx, batch, options, actor, result, parts, at);
      // Every chip of the chunk is now a recorded card, finished or failed, its certificates with
      // it; anything else journalled for its cards is revoked. The journal keeps the tokens of
      // the failed cards until their chips are wiped, after the commit: a card refused here
      // (refuseActiveTaken) has a finished chip.
      if (chip) {
        // A released card was not begun: it has no chip.
        failedChips = result.cards.filter((card) => !card.ok && !card.released).map((card) => card.cardId);
        const failed = new Set(failedChips);
        const recordedSerials = new Set(
          result.cards.flatMap((card) => card.certificates.map((c) => c.serial)),
        );
        for (const keepTokens of [false, true])
          await revokeJournalled(
            trx,
            result.cards.filter((card) => failed.has(card.cardId) === keepTokens).map((card) => card.cardId),
            at,
            { keepTokens, recorded: recordedSerials },
          );
      }
      if (codes) {
        const expiresAt = new Date(
          Date.parse(at) + holderActivation.codeValidDays * 86_400_000,
        ).toISOString();
        await saveActivationCodes(
          trx,
          result.cards.flatMap((card) =>
            card.ok ? [{ cardId: card.cardId, code: codes.get(card.cardId)!, expiresAt }] : [],
          ),
          at,
        );
      }
      return recorded;
    });
    if (recorded && failedChips.length > 0) {
      await wipeJournalledChips(services, failedChips);
      await clearChipJournal(services.store.db, failedChips, { entries: true });
    }
    if (!recorded)
      log.warn(
        { batchId: batch.id, chunk: held.chunk },
        "chunk taken over by another producer; its work is discarded",
      );
    else if (recorded.state !== "running")
      log.info({ batchId: batch.id, state: recorded.state }, "batch finished");
  } finally {
    // The PIN letters now live only in the batch's PIN-letter file (in the database).
    await rm(job.printFilePath, { force: true });
    await rm(job.pinLettersPath, { force: true });
  }
}

/**
 * Chip cards an earlier attempt of this chunk began and did not record (the process stopped, a
 * reader failed): the certificates it signed for them are recorded revoked now, before anything
 * is redone, and each card is redone with the same PUK on the same token, or on another blank
 * card when that chip is gone or no longer answers (`chip-encoder.ts`).
 */
async function resumeChipCards(services: Services, batch: Batch, actor: Actor, job: ChunkJob): Promise<void> {
  const at = services.clock().toISOString();
  const earlier = await transact(services.store, async (trx) => {
    const entries = await revokeJournalled(
      trx,
      job.cards.map((card) => card.cardId),
      at,
      { keepTokens: true },
    );
    if (entries.length === 0) return entries;
    await services.audit.append(
      trx,
      entries.map((entry) => ({
        action: "CardsBoProcIssueMultiple",
        objectType: "card",
        objectId: entry.cardId,
        outcome: "failed",
        operator: actor,
        details: {
          batchId: batch.id,
          tokenSerial: entry.tokenSerial,
          reason:
            "An earlier attempt stopped while personalising the chip: its certificates are revoked and the card is redone, on the same token while that chip still answers.",
          revokedCertificates: entry.certificates.map((certificate) => certificate.serial),
        },
      })),
      at,
    );
    return entries;
  });
  const byCard = new Map(earlier.map((entry) => [entry.cardId, entry]));
  for (const card of job.cards) {
    const entry = byCard.get(card.cardId);
    if (entry) card.resume = { tokenSerial: entry.tokenSerial, pukEncrypted: entry.pukEncrypted };
  }
}

/**
 * The holders' active cards, not counting those the cards being made renew: a successor that
 * ends active locks its predecessor in the same transaction, so the two are never both active.
 */
async function countActiveBesidesPredecessors(
  db: Db,
  cards: readonly Pick<PendingCard, "userId" | "predecessorId">[],
): Promise<Map<string, number>> {
  const active = await countCardsOfUsers(
    db,
    cards.map((card) => card.userId),
    ["active"],
  );
  const predecessorIds = cards.flatMap((card) => (card.predecessorId ? [card.predecessorId] : []));
  for (const predecessor of await findCardsByIds(db, predecessorIds))
    if (predecessor.state === "active")
      active.set(predecessor.userId, Math.max(0, (active.get(predecessor.userId) ?? 0) - 1));
  return active;
}

/** With cards to end active, those whose holder already has an active card (and may not have two) are refused. */
async function refuseSeveralActive(
  services: Services,
  options: IssueOptions,
  processOptions: ProcessOptions,
  pending: PendingCard[],
): Promise<{ cards: PendingCard[]; refused: ChunkCardResult[] }> {
  if (options.cardEndState !== "active" || pending.length === 0) return { cards: pending, refused: [] };
  if (processOptions.severalActiveCards) return { cards: pending, refused: [] };
  const active = await countActiveBesidesPredecessors(services.store.db, pending);
  const cards: PendingCard[] = [];
  const refused: ChunkCardResult[] = [];
  for (const card of pending) {
    const refusal = severalActiveCardsRefusal(
      processOptions,
      { id: card.cardId, cardNumber: card.cardNumber },
      active.get(card.userId) ?? 0,
    );
    // A second card of the same holder in this chunk would be the holder's second active card.
    active.set(card.userId, (active.get(card.userId) ?? 0) + 1);
    if (!refusal) cards.push(card);
    else
      refused.push({
        cardId: card.cardId,
        ok: false,
        code: refusal.code,
        reason: refusal.message,
        certificates: [],
        ms: 0,
      });
  }
  return { cards, refused };
}

/**
 * The check of {@link refuseSeveralActive} again, in the transaction that records the chunk and
 * with the holders' cards locked: while the chunk was in production, another chunk or an
 * operator may have made one of its holders' other cards active. Such a card fails as it would
 * have been refused (its certificates are recorded revoked, its token is not kept); its pages
 * are already in the chunk's parts, so the reason says to destroy them.
 */
async function refuseActiveTaken(
  services: Services,
  trx: Db,
  options: IssueOptions,
  cards: readonly PendingCard[],
  result: ChunkResult,
): Promise<void> {
  if (options.cardEndState !== "active") return;
  const processOptions = await services.getOptions(trx);
  if (processOptions.severalActiveCards) return;
  const made = new Map(cards.map((card) => [card.cardId, card]));
  const holders = result.cards.flatMap((card) => (card.ok ? [made.get(card.cardId)!.userId] : []));
  await lockAllUntilCommit(trx, services.store.dialect, "holderCards", holders);
  const active = await countActiveBesidesPredecessors(
    trx,
    result.cards.flatMap((card) => (card.ok ? [made.get(card.cardId)!] : [])),
  );
  result.cards.forEach((card, index) => {
    if (!card.ok) return;
    const pending = made.get(card.cardId)!;
    const refusal = severalActiveCardsRefusal(
      processOptions,
      { id: pending.cardId, cardNumber: pending.cardNumber },
      active.get(pending.userId) ?? 0,
    );
    if (!refusal) return;
    result.cards[index] = {
      cardId: card.cardId,
      ok: false,
      code: refusal.code,
      reason: `${refusal.message} Its card face and PIN letter were printed before this was known: destroy them.`,
      certificates: card.certificates,
      ms: card.ms,
    };
  });
}

/** The templates of the chunk's cards as a job carries them: only the certificates the operator chose. */
function chunkTemplates(
  services: Services,
  options: IssueOptions,
  cards: readonly PendingCard[],
): Record<string, ChunkTemplate> {
  const templates: Record<string, ChunkTemplate> = {};
  for (const card of cards) {
    const template = services.templates.get(card.template);
    if (!template) throw new Error(`card template ${card.template} is not configured`);
    templates[template.name] = {
      name: template.name,
      encoder: template.encoder,
      ...(template.pkcs11 && { pkcs11: template.pkcs11 }),
      pkcs12Format: template.pkcs12Format,
      profiles: template.profiles.filter(
        (p) => !options.certificates || options.certificates.includes(p.name),
      ),
      validityDays: template.validityDays,
      layout: template.layout,
    };
  }
  return templates;
}
