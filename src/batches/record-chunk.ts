import { type RecordedAs, recordCertificates } from "../ca/issue-certificates.js";
import type { Batch } from "../domain/batch.js";
import { supersededStates } from "../domain/card-states.js";
import type { IssueOptions } from "../domain/issue-options.js";
import { findProcess } from "../domain/process-catalog.js";
import { type ChunkResult, isReleased, type RecordedCardResult } from "../production/chunk-job.js";
import { lockCard } from "../services/lock-card.js";
import type { Actor, Services } from "../services/services.js";
import type { AuditEntryInput } from "../store/audit-log.js";
import { finishChunk } from "../store/batch-chunks.js";
import { finishItems } from "../store/batch-items.js";
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
  const audit: AuditEntryInput[] = [];
  const tokens: { cardId: string; token: Buffer }[] = [];
  // A card its batch no longer wanted (cancelled while it waited) was not begun: it goes back
  // free, as the cancelled batch's cards not yet taken did, and is neither made nor failed.
  const released = result.cards.filter(isReleased);
  await releaseCards(
    trx,
    batch.id,
    released.map((card) => card.cardId),
    { in: issueMultiple.requiredCardStates, at },
  );
  const cards = result.cards.filter((card): card is RecordedCardResult => !isReleased(card));
  const changes: CardChange[] = cards.map((card) => ({
    id: card.cardId,
    to: card.ok ? options.cardEndState : "failed",
    changes: card.ok
      ? {
          batchId: null,
          issuedAt: at,
          expiresAt: card.expiresAt,
          pukEncrypted: card.pukEncrypted,
          tokenSerial: card.tokenSerial ?? null,
          reason: null,
        }
      : { batchId: null, reason: `${card.reason} (${card.code})` },
  }));
  const changed = await transitionEachCard(trx, { from: "approved", at, heldBy: batch.id, cards: changes });
  if (changed !== changes.length)
    throw new Error(
      `${changes.length - changed} of the chunk's cards are no longer approved and held by batch ${batch.id}`,
    );
  for (const card of cards) {
    if (card.ok && card.token) tokens.push({ cardId: card.cardId, token: Buffer.from(card.token) });
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
            certificates: card.certificates.map((c) => ({ serial: c.serial, profile: c.profile })),
            certificateState: options.certificateEndState,
          }
        : { batchId: batch.id, from: "approved", to: "failed", code: card.code, reason: card.reason },
    });
  }
  for (const card of released)
    audit.push({
      action: issueMultiple.symbolicName,
      objectType: "card",
      objectId: card.cardId,
      outcome: "refused",
      operator: actor,
      details: { batchId: batch.id, from: "approved", to: "approved", reason: card.reason },
    });
  // The token is stored with the card as production left it, so it is handed out only until the card changes.
  await insertCardTokens(trx, batch.id, tokens, at);
  await finishItems(
    trx,
    batch.id,
    [
      ...cards.map((c) =>
        c.ok
          ? { cardId: c.cardId, state: "done" as const, ms: Math.round(c.ms) }
          : {
              cardId: c.cardId,
              state: "failed" as const,
              code: c.code,
              reason: c.reason,
              ms: Math.round(c.ms),
            },
      ),
      ...released.map((c) => ({ cardId: c.cardId, state: "released" as const, reason: c.reason })),
    ],
    at,
  );
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
  const issuedAs: RecordedAs = options.certificateEndState === "onHold" ? "onHold" : "valid";
  await recordCertificates(
    trx,
    cards.flatMap((card) =>
      card.certificates.map((certificate) => ({
        cardId: card.cardId,
        certificate,
        // Signed for a card that then failed: recorded, and revoked at once.
        as: card.ok ? issuedAs : ("unused" as const),
      })),
    ),
    at,
  );
  await services.audit.append(trx, audit, at);
  if (options.cardEndState === "active") await lockPredecessors(services, trx, actor, result);
  const done = cards.filter((card) => card.ok).length;
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
