import type { Batch } from "../domain/batch.js";
import type { Card } from "../domain/card.js";
import { TesseraError } from "../domain/errors.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { listBatchParts, type PartKind, readBatchPart } from "../store/batch-parts.js";
import { hasFetchedBatchSecret, lockBatchSecrets } from "../store/batch-secrets.js";
import { findBatch } from "../store/batches.js";
import { type CardTokenState, findCardTokenState, takeCardTokenDownload } from "../store/card-tokens.js";
import { findCardById } from "../store/cards.js";
import { type Db, transact } from "../store/database.js";
import { recordingRefusal } from "./recording-refusal.js";

/**
 * Handing out a card's secrets: the print file, the PIN letters and the software tokens. Who
 * may fetch which is a deployment setting (checked on the route); here every download is an
 * object-history entry — who, what, which batch or card, when — written in the transaction
 * that reads it (and, for a token, counts it), and every refusal is recorded as refused.
 */

const actionOf: Record<PartKind, string> = {
  print: "batch.downloadPrintFile",
  pinLetters: "batch.downloadPinLetters",
};

/** A file of a batch, to send: one part's bytes, or the parts to stream one after another. */
export type BatchDownload =
  | { batch: Batch; kind: "single"; part: number; data: Buffer }
  | { batch: Batch; kind: "parts"; parts: number[] };

/**
 * The print file or the PIN letters of a batch (all parts, or part `part`), recorded as
 * downloaded. The PIN letters are refused once purged.
 */
export async function downloadBatchFile(
  services: Services,
  actor: Actor,
  batchId: string,
  kind: PartKind,
  part: number | undefined,
): Promise<BatchDownload> {
  const what = kind === "print" ? "print file" : "PIN letters";
  return recordingRefusal(services, actor, actionOf[kind], { objectType: "batch", objectId: batchId }, () =>
    transact(services.store, async (trx) => {
      // Before any check: a token of this batch asked for at the same moment waits for this one.
      if (kind === "pinLetters") await lockBatchSecrets(trx, services.store.dialect, batchId);
      const batch = await findBatch(trx, batchId);
      if (!batch) throw new TesseraError("batch.not_found", `There is no batch with id ${batchId}.`);
      if (kind === "pinLetters" && batch.pinLettersPurgedAt)
        throw new TesseraError("batch.pin_letters_purged");
      if (kind === "pinLetters") {
        const refusal = await findPinLetterSplitRefusal(trx, actor, batch.id);
        if (refusal) throw refusal;
      }
      const available = (await listBatchParts(trx, batch.id, kind)).map((p) => p.chunk);
      const wanted = part === undefined ? available : available.filter((p) => p === part);
      if (wanted.length === 0)
        throw new TesseraError(
          "batch.no_output",
          part === undefined ? `The batch has no ${what} (yet).` : `The batch has no part ${part}.`,
        );
      const at = nowIso(services);
      await services.audit.append(
        trx,
        [
          {
            action: actionOf[kind],
            objectType: "batch",
            objectId: batch.id,
            outcome: "success",
            operator: actor,
            details: { file: kind, parts: wanted },
          },
        ],
        at,
      );
      if (wanted.length === 1) {
        const data = await readBatchPart(trx, batch.id, kind, wanted[0]!);
        if (!data) throw new TesseraError("batch.no_output", `The batch has no part ${wanted[0]}.`);
        return { batch, kind: "single" as const, part: wanted[0]!, data };
      }
      return { batch, kind: "parts" as const, parts: wanted };
    }),
  );
}

/**
 * Whether the card is still as its batch made it: `issued`, or `active` when the batch made it
 * active itself (card end state active) and nothing has changed it since (its version is the
 * one production left). Activation, or any later change, ends the token's handing out.
 */
function isAsProduced(card: Card, token: CardTokenState): boolean {
  return card.state === "issued" || (card.state === "active" && card.version === token.cardVersion);
}

/**
 * Why the card's software token may not be handed out now, or undefined when it may: the card
 * has a token, is as its batch made it (after activation the holder has the card), the PIN
 * letters of that batch exist (once purged, the PINs are gone and nobody needs the token), and
 * it was downloaded fewer than `limit` times, and this operator has not fetched the PIN letters of
 * that batch. The one rule for the download and the card read.
 */
export async function findTokenRefusal(
  db: Db,
  card: Card,
  limit: number,
  actor: Actor,
): Promise<TesseraError | undefined> {
  const token = await findCardTokenState(db, card.id);
  if (!token) return new TesseraError("card.no_token");
  if (!isAsProduced(card, token))
    return new TesseraError(
      "card.token_card_not_issued",
      `Card ${card.cardNumber} is ${card.state}: its software token is handed out only while the card is as its batch made it (issued), never after activation.`,
      { cardId: card.id, state: card.state },
    );
  const batch = token.batchId ? await findBatch(db, token.batchId) : undefined;
  if (batch?.pinLettersPurgedAt)
    return new TesseraError(
      "card.token_pin_letters_purged",
      `The PIN letters of batch ${batch.id}, which made card ${card.cardNumber}, were purged on ${batch.pinLettersPurgedAt}; its software token is no longer handed out.`,
      { cardId: card.id, batchId: batch.id },
    );
  if (token.downloads >= limit) return tokenLimitReached(card, limit);
  if (token.batchId && (await hasFetchedBatchSecret(db, actor.id, token.batchId, "pinLetters")))
    return new TesseraError(
      "batch.secret_split",
      `You fetched the PIN letters of batch ${token.batchId}, which made card ${card.cardNumber}; its software token must be fetched by another operator.`,
      { batchId: token.batchId, cardId: card.id },
    );
  return undefined;
}

/**
 * Why this operator may not fetch the batch's PIN letters, or undefined: one operator holds one
 * half of a batch's secrets, never both. The one rule for the download and the batch read.
 */
export async function findPinLetterSplitRefusal(
  db: Db,
  actor: Actor,
  batchId: string,
): Promise<TesseraError | undefined> {
  if (!(await hasFetchedBatchSecret(db, actor.id, batchId, "token"))) return undefined;
  return new TesseraError(
    "batch.secret_split",
    `You fetched software tokens of batch ${batchId}; its PIN letters must be fetched by another operator.`,
    { batchId },
  );
}

const tokenLimitReached = (card: Card, limit: number) =>
  new TesseraError(
    "card.token_download_limit",
    `The software token of card ${card.cardNumber} was downloaded ${limit} ${limit === 1 ? "time" : "times"}, as many as this deployment allows.`,
    { cardId: card.id, limit },
  );

/** The software token of a card (see {@link findTokenRefusal}), counted and recorded. */
export async function downloadCardToken(
  services: Services,
  actor: Actor,
  cardId: string,
  limit: number,
): Promise<{ card: Card; token: Buffer }> {
  return recordingRefusal(
    services,
    actor,
    "card.downloadToken",
    { objectType: "card", objectId: cardId },
    () =>
      transact(services.store, async (trx) => {
        const card = await findCardById(trx, cardId);
        if (!card) throw new TesseraError("card.not_found");
        const batchId = (await findCardTokenState(trx, card.id))?.batchId;
        // Before any check: the PIN letters asked for at the same moment wait for this download.
        if (batchId) await lockBatchSecrets(trx, services.store.dialect, batchId);
        const refusal = await findTokenRefusal(trx, card, limit, actor);
        if (refusal) throw refusal;
        // The count is guarded in the update too: two downloads at once cannot both take the last one.
        const taken = await takeCardTokenDownload(trx, card.id, limit);
        if (taken === undefined) throw new TesseraError("card.no_token");
        if (taken === "limit") throw tokenLimitReached(card, limit);
        await services.audit.append(
          trx,
          [
            {
              action: "card.downloadToken",
              objectType: "card",
              objectId: card.id,
              outcome: "success",
              operator: actor,
              details: {
                cardNumber: card.cardNumber,
                batchId: batchId ?? null,
                download: taken.downloads,
                limit,
              },
            },
          ],
          nowIso(services),
        );
        return { card, token: taken.token };
      }),
  );
}
