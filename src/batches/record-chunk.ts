import { sql } from "kysely";
import type { IssueOptions } from "../domain/issue-options.js";
import { findProcess } from "../domain/process-catalog.js";
import type { ChunkCertificate, ChunkResult } from "../production/chunk-job.js";
import type { Actor, Services } from "../services/services.js";
import type { AuditEntryInput } from "../store/audit-log.js";
import { type Batch, finishChunk, finishItems, insertBatchPart, insertCardTokens } from "../store/batches.js";
import { insertCertificates, type NewCertificate } from "../store/certificates.js";
import type { Db } from "../store/database.js";

const issueMultiple = findProcess("CardsBoProcIssueMultiple")!;

/**
 * Locks the chunk and checks this instance still holds it. A producer whose lease ran out may
 * have lost the chunk to another; only the holder may record it, so no card is recorded twice.
 */
export async function lockHeldChunk(
  trx: Db,
  dialect: "sqlite" | "postgres",
  chunk: { batchId: string; chunk: number; instanceId: string },
): Promise<boolean> {
  const lock = dialect === "postgres" ? sql`for update` : sql``;
  const result = await sql<{ state: string; claimed_by: string | null }>`
    select state, claimed_by from batch_chunks where batch_id = ${chunk.batchId} and chunk = ${chunk.chunk} ${lock}`.execute(
    trx,
  );
  const row = result.rows[0];
  return row?.state === "running" && row.claimed_by === chunk.instanceId;
}

/**
 * Records a produced chunk in the caller's transaction: each good card's certificates (before
 * anything of them is handed out: the token becomes downloadable only with this commit), its
 * token, encrypted PUK and end state; each failed card as failed, the certificates already
 * signed for it recorded revoked; the chunk's print-file and PIN-letter parts; the progress.
 */
export async function recordIssuedChunk(
  services: Services,
  trx: Db,
  batch: Batch,
  actor: Actor,
  result: ChunkResult,
  parts: { print: Buffer | undefined; pinLetters: Buffer | undefined },
  at: string,
): Promise<Batch> {
  const options = batch.options as unknown as IssueOptions;
  const certificates: NewCertificate[] = [];
  const record = (
    cardId: string,
    c: ChunkCertificate,
    state: NewCertificate["state"],
    reason: NewCertificate["revocationReason"],
  ) =>
    certificates.push({
      serial: c.serial,
      cardId,
      profile: c.profile,
      subject: c.subject,
      state,
      der: Buffer.from(c.der),
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      revokedAt: reason ? at : null,
      revocationReason: reason,
    });
  const audit: AuditEntryInput[] = [];
  let done = 0;
  let failed = 0;
  for (const card of result.cards) {
    if (card.ok) {
      for (const c of card.certificates)
        options.certificateEndState === "onHold"
          ? record(card.cardId, c, "onHold", "certificateHold")
          : record(card.cardId, c, "valid", null);
    } else {
      // Signed for a card that then failed: recorded, and revoked at once.
      for (const c of card.certificates) record(card.cardId, c, "revoked", "unspecified");
    }
  }
  await insertCertificates(trx, certificates, at);
  const tokens: { cardId: string; token: Buffer; cardVersion: number }[] = [];
  for (const card of result.cards) {
    const changes = card.ok
      ? {
          state: options.cardEndState,
          issued_at: at,
          expires_at: card.expiresAt,
          puk_encrypted: card.pukEncrypted,
          reason: null,
        }
      : { state: "failed", reason: `${card.reason} (${card.code})` };
    const updated = await trx
      .updateTable("cards")
      .set((eb) => ({ ...changes, batch_id: null, version: eb("version", "+", 1), updated_at: at }))
      .where("id", "=", card.cardId)
      .where("batch_id", "=", batch.id)
      .where("state", "=", "approved")
      .returning("version")
      .executeTakeFirst();
    if (!updated) throw new Error(`card ${card.cardId} is no longer approved and held by batch ${batch.id}`);
    if (card.ok)
      tokens.push({
        cardId: card.cardId,
        token: Buffer.from(card.token),
        cardVersion: Number(updated.version),
      });
    card.ok ? done++ : failed++;
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
  // The token is stored with the card as production left it, so it is handed out only until the card changes.
  await insertCardTokens(trx, batch.id, tokens, at);
  await finishItems(
    trx,
    batch.id,
    result.cards.map((c) =>
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
    at,
  );
  if (parts.print)
    await insertBatchPart(trx, {
      batchId: batch.id,
      kind: "print",
      chunk: result.chunk,
      pages: result.pages,
      data: parts.print,
    });
  if (parts.pinLetters)
    await insertBatchPart(trx, {
      batchId: batch.id,
      kind: "pinLetters",
      chunk: result.chunk,
      pages: result.pages,
      data: parts.pinLetters,
    });
  await services.audit.append(trx, audit, at);
  return finishChunk(trx, { batchId: batch.id, chunk: result.chunk, done, failed }, at);
}
