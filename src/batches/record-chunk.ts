import { type RecordedAs, type RecordedCertificate, recordCertificates } from "../ca/issue-certificates.js";
import type { Batch } from "../domain/batch.js";
import { supersededStates } from "../domain/card-states.js";
import type { IssueOptions } from "../domain/issue-options.js";
import { findProcess } from "../domain/process-catalog.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import {
  type ChunkResult,
  isReleased,
  type RecordedCardResult,
  type ReleasedCardResult,
} from "../production/chunk-job.js";
import { lockCard } from "../services/lock-card.js";
import type { Actor, Services } from "../services/services.js";
import type { AuditEntryInput } from "../store/audit-log.js";
import { finishChunk } from "../store/batch-chunks.js";
import { type FinishedItem, finishItems } from "../store/batch-items.js";
import { insertBatchPart } from "../store/batch-parts.js";
import { releaseCards } from "../store/batches.js";
import { insertCardTokens } from "../store/card-tokens.js";
import { type CardChange, transitionEachCard } from "../store/card-transitions.js";
import { findCardsByIds } from "../store/cards.js";
import type { Db } from "../store/database.js";

const issueMultiple = findProcess("CardsBoProcIssueMultiple");

/**
 * Records a produced chunk in the caller's transaction: each good card's certificates (before
 * anything of them is handed out: the token becomes downloadable only with this commit), its end
 * state with its encrypted PUK, and its token; each failed card as failed, the certificates
 * already signed for it recorded revoked; the chunk's print-file and PIN-letter parts; the
 * progress. Returns the batch as the chunk leaves it.
 */
export async function recordIssuedChunk(
  services: Services,
  trx: Db,
  batch: Batch,
  options: IssueOptions,
  actor: Actor,
  result: ChunkResult,
  parts: { print: Buffer | undefined; pinLetters: Buffer | undefined },
  at: string,
): Promise<Batch> {
  // One pass over the chunk's cards, in loops, not closures made per call: see `production/produce-chunk.ts`.
  const audit: AuditEntryInput[] = [];
  const tokens: { cardId: string; token: Buffer }[] = [];
  const changes: CardChange[] = [];
  const items: FinishedItem[] = [];
  const certificates: RecordedCertificate[] = [];
  const issuedAs: RecordedAs = options.certificateEndState === "onHold" ? "onHold" : "valid";
  let done = 0;
  // A card its batch no longer wanted (cancelled while it waited) was not begun: it goes back
  // free, as the cancelled batch's cards not yet taken did, and is neither made nor failed.
  const released: ReleasedCardResult[] = [];
  const cards: RecordedCardResult[] = [];
  for (const card of result.cards)
    if (isReleased(card)) released.push(card);
    else cards.push(card);
  await releaseCards(trx, batch.id, released.map(cardIdOf), { in: issueMultiple.requiredCardStates, at });
  for (const card of cards) {
    const ms = Math.round(card.ms);
    if (card.ok) {
      done++;
      changes.push({
        id: card.cardId,
        to: options.cardEndState,
        changes: {
          batchId: null,
          issuedAt: at,
          expiresAt: card.expiresAt,
          pukEncrypted: card.pukEncrypted,
          tokenSerial: card.tokenSerial ?? null,
          reason: null,
        },
      });
      if (card.token) tokens.push({ cardId: card.cardId, token: Buffer.from(card.token) });
      items.push({ cardId: card.cardId, state: "done", ms });
    } else {
      changes.push({
        id: card.cardId,
        to: "failed",
        changes: { batchId: null, reason: `${card.reason} (${card.code})` },
      });
      items.push({ cardId: card.cardId, state: "failed", code: card.code, reason: card.reason, ms });
    }
    audit.push({
      action: issueMultiple.symbolicName,
      objectType: "card",
      objectId: card.cardId,
      outcome: card.ok ? "success" : "failed",
      operator: actor,
      details: card.ok
        ? {
            batchId: batch.id,
            from: "approved",
            to: options.cardEndState,
            certificates: card.certificates.map(serialAndProfile),
            certificateState: options.certificateEndState,
          }
        : { batchId: batch.id, from: "approved", to: "failed", code: card.code, reason: card.reason },
    });
    // Signed for a card that then failed: recorded, and revoked at once.
    for (const certificate of card.certificates)
      certificates.push({ cardId: card.cardId, certificate, as: card.ok ? issuedAs : "unused" });
  }
  for (const card of released) {
    audit.push({
      action: issueMultiple.symbolicName,
      objectType: "card",
      objectId: card.cardId,
      outcome: "refused",
      operator: actor,
      details: { batchId: batch.id, from: "approved", to: "approved", reason: card.reason },
    });
    items.push({ cardId: card.cardId, state: "released", reason: card.reason });
  }
  const changed = await transitionEachCard(trx, { from: "approved", at, heldBy: batch.id, cards: changes });
  if (changed !== changes.length)
    throw new Error(
      `${changes.length - changed} of the chunk's cards are no longer approved and held by batch ${batch.id}`,
    );
  // The token is stored with the card as production left it, so it is handed out only until the card changes.
  await insertCardTokens(trx, batch.id, tokens, at);
  await finishItems(trx, batch.id, items, at);
  for (const [kind, data] of [
    ["print", parts.print],
    ["pinLetters", parts.pinLetters],
  ] as const)
    if (data)
      await insertBatchPart(trx, { batchId: batch.id, kind, chunk: result.chunk, pages: result.pages, data });
  // What other producers of this PostgreSQL wait for comes last, so each lock is held for a few
  // statements, not for the chunk's card-by-card round trips: recording certificates bumps the
  // certificate-status counter (one row), the audit chain is taken in turns, and the batch's
  // progress is one row. Nothing of the chunk is visible before the commit, whatever the order.
  await recordCertificates(trx, certificates, at);
  await services.audit.append(trx, audit, at);
  if (options.cardEndState === "active") await lockPredecessors(services, trx, actor, result);
  return finishChunk(
    trx,
    {
      batchId: batch.id,
      chunk: result.chunk,
      done,
      failed: cards.length - done,
      released: released.length,
    },
    at,
  );
}

const cardIdOf = (card: { readonly cardId: string }) => card.cardId;
const serialAndProfile = ({ serial, profile }: SignedCertificate) => ({ serial, profile });

/** The cards renewed by the chunk's cards that ended active are locked (superseded), as activation does. */
async function lockPredecessors(
  services: Services,
  trx: Db,
  actor: Actor,
  result: ChunkResult,
): Promise<void> {
  const made = await findCardsByIds(
    trx,
    result.cards.flatMap((card) => (card.ok ? [card.cardId] : [])),
  );
  const successors = new Map(
    made.flatMap((card) => (card.predecessorId ? [[card.predecessorId, card]] : [])),
  );
  if (successors.size === 0) return;
  const run = { services, trx, actor, process: findProcess("CardsProcLock") };
  for (const predecessor of await findCardsByIds(trx, [...successors.keys()]))
    if (supersededStates.includes(predecessor.state)) {
      const successor = successors.get(predecessor.id)!;
      await lockCard(run, predecessor, "superseded", {
        supersededBy: successor.id,
        supersededByNumber: successor.cardNumber,
      });
    }
}
