import type { Card } from "../domain/card.js";
import type { CardTemplate, Pkcs11Encoder } from "../domain/card-template.js";
import { type ErrorCode, TesseraError } from "../domain/errors.js";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import type { ReaderSlots } from "../production/reader-slots.js";
import type { ReaderThread } from "../production/reader-thread.js";
import { createPukCipher, generateDigits } from "../production/secrets.js";
import { type StoredPuks, settleCardPuk } from "../store/card-puks.js";
import { findCardById } from "../store/cards.js";
import { transact } from "../store/database.js";
import { appendCardHistory } from "./card-steps.js";
import { type Actor, nowIso, type Services } from "./services.js";

/**
 * PIN work on a personalised chip card: reaching its token through this process's readers,
 * checking a new PIN against the card's rules, naming the card in every refusal, and recording
 * what was done. The PIN itself is never stored, logged or put in a message.
 *
 * Every PKCS#11 call runs in the thread of one of the readers of the card's type
 * (`ReaderSlots`), the same readers a station's batches personalise in: a chip blocks its
 * thread for hundreds of milliseconds to seconds per call, and the main thread serves HTTP and
 * renews the batches' leases. Sharing the readers keeps the station's promise of no more cards
 * worked on at once than it has readers (a PIN process waits for a reader behind at most the
 * card in it); a PIN process also holds its token, so two on one card run one after the other.
 * A batch's cards are blank tokens it journalled, never an active card's token.
 */

/** How a card is named in refusals and history. */
export type CardName = Pick<Card, "id" | "cardNumber">;

/** A chip card as PIN work needs it: its template's PKCS#11 settings and the readers reaching its token. */
export interface CardChip {
  /** The card (from the store, or as the API answered it to a desk). */
  readonly card: CardName;
  readonly template: CardTemplate;
  readonly settings: Pkcs11Encoder;
  /** The readers of the card's type: its PKCS#11 calls run in the thread of one of them. */
  readonly readers: ReaderSlots;
  /** The token's serial: a card's identity on the chip (it survives re-initialisation). */
  readonly serial: string;
}

/**
 * The chip of `card`, through the module its template names.
 *
 * @throws TesseraError `card.not_chip` (a software token), `card.chip_unreachable` (the module is
 * not loaded in this process), each naming the card.
 */
export function reachCardChip(services: Pick<Services, "templates" | "chipStation">, card: Card): CardChip {
  const template = services.templates.get(card.template);
  const settings = template?.pkcs11;
  if (!template || !settings || !card.tokenSerial)
    throw new TesseraError(
      "card.not_chip",
      `Card ${card.cardNumber} is a software token, not a chip card: it has no PIN retry counter and no PUK.`,
      { cardId: card.id, cardNumber: card.cardNumber },
    );
  let readers: ReaderSlots;
  try {
    readers = services.chipStation.readersFor(settings);
  } catch (error) {
    if (!(error instanceof TesseraError) || error.code !== "pkcs11.module_unavailable") throw error;
    throw new TesseraError(
      "card.chip_unreachable",
      `This server does not reach the readers of card ${card.cardNumber}: ${error.message} A desk with its own reader can: tessera card unblock --card ${card.cardNumber}.`,
      { cardId: card.id, cardNumber: card.cardNumber, module: settings.module },
      { cause: error },
    );
  }
  return { card, template, settings, readers, serial: card.tokenSerial };
}

/**
 * The card's stored PUK in clear. A PUK this server cannot decrypt — encrypted under another
 * `TESSERA_PUK_KEY`, or altered — is the card's refusal, named, never an internal error.
 *
 * @throws TesseraError `card.puk_unreadable`.
 */
export function readCardPuk(services: Pick<Services, "secrets">, card: CardName, encrypted: string): string {
  try {
    return createPukCipher(services.secrets.pukKey).decrypt(encrypted, card.id);
  } catch (error) {
    if (!(error instanceof TesseraError && error.code.startsWith("production.puk_ciphertext_"))) throw error;
    throw new TesseraError(
      "card.puk_unreadable",
      `Card ${card.cardNumber}'s stored PUK cannot be read by this server: it was encrypted under another PUK key (TESSERA_PUK_KEY) or altered. Set the key it was stored with, or unblock the card with its PUK letter.`,
      { cardId: card.id, cardNumber: card.cardNumber },
      { cause: error },
    );
  }
}

/**
 * The PUKs the chip's SO PIN may be, in clear, in the order to try them: the card's PUK, then
 * its pending next PUK while a desk's rotation to it is not settled (the desk may have set it on
 * the chip and stopped before confirming). Empty when the card has no PUK stored.
 *
 * @throws TesseraError `card.puk_unreadable`.
 */
export function readPukCandidates(
  services: Pick<Services, "secrets">,
  card: CardName,
  puks: StoredPuks,
): string[] {
  if (!puks.stored) return [];
  const stored = readCardPuk(services, card, puks.stored);
  const pending = puks.pending ? readCardPuk(services, card, puks.pending) : undefined;
  return pending && pending !== stored ? [stored, pending] : [stored];
}

/**
 * A new PUK for a card whose PUK a desk was given: random digits as a batch makes them
 * (`generateDigits`), as long as the PUK it replaces (the length its batch chose, which the chip
 * took), kept within the template's PUK bounds; never the PUK it replaces.
 */
export function generateNextPuk(template: Pick<CardTemplate, "pukLength">, puk: string): string {
  const { min, max } = template.pukLength;
  const length = Math.min(max, Math.max(min, puk.length));
  for (;;) {
    const next = generateDigits(length);
    if (next !== puk) return next;
  }
}

/**
 * Refuses a new PIN the card would refuse: digits outside the template's PIN length, or outside
 * the lengths the token itself reports (when it reports any).
 *
 * @throws TesseraError `pkcs11.pin_rejected` naming the card and the lengths it takes.
 */
export async function checkNewPin(chip: CardChip, newPin: string): Promise<void> {
  const { card, template } = chip;
  const refuse = (what: string, min: number, max: number) =>
    new TesseraError(
      "pkcs11.pin_rejected",
      `Card ${card.cardNumber} takes a PIN of ${min} to ${max} digits (${what}); the new PIN has ${newPin.length}.`,
      { cardId: card.id, cardNumber: card.cardNumber, min, max, length: newPin.length },
    );
  const { min, max } = template.pinLength;
  if (newPin.length < min || newPin.length > max) throw refuse(`its template "${template.name}"`, min, max);
  const { pinLength: token } = await onCardChip(
    chip,
    `Reading the PIN lengths of card ${card.cardNumber}`,
    (reader) => reader.findToken(chip.serial),
  );
  // A module that does not say (0, or CK_UNAVAILABLE_INFORMATION read as a huge number) leaves it to the card.
  const reported = token.max > 0 && token.max >= token.min && token.max < 0xffff;
  if (reported && (newPin.length < token.min || newPin.length > token.max))
    throw refuse("the chip's own rule", token.min, token.max);
}

/** Codes of the module that mean something else to the operator of a PIN process. */
const operatorCode: Partial<Record<ErrorCode, ErrorCode>> = {
  // The module answered with a CKR_* we have no word for: the card or its middleware failed;
  // the operator can retry or replace the card, so a refusal naming the cause, not a 500.
  "pkcs11.operation_failed": "card.chip_failed",
  // A server without the card's reader: the desk's own reader (tessera card unblock) can.
  "pkcs11.module_unavailable": "card.chip_unreachable",
};

/**
 * Runs `step` in the thread of a reader of the card's chip, holding its token; a failure becomes
 * a refusal whose sentence starts with `doing` (which names the card) and ends with the module's
 * cause. `incorrect` replaces the sentence of a PIN or PUK the card refused as wrong.
 */
async function onCardChip<T>(
  chip: CardChip,
  doing: string,
  step: (reader: ReaderThread) => Promise<T>,
  incorrect?: string,
): Promise<T> {
  const { card } = chip;
  const reader = await chip.readers.takeForToken(chip.serial);
  try {
    return await step(reader.thread);
  } catch (error) {
    if (!(error instanceof TesseraError) || !error.code.startsWith("pkcs11.")) throw error;
    const cause = typeof error.details?.cause === "string" ? error.details.cause : undefined;
    const sentence =
      error.code === "pkcs11.pin_incorrect" && incorrect
        ? `${incorrect}${cause ? ` (${cause})` : ""}.`
        : `${doing}: ${error.message}`;
    throw new TesseraError(
      operatorCode[error.code] ?? error.code,
      sentence,
      { ...error.details, cardId: card.id, cardNumber: card.cardNumber },
      { cause: error },
    );
  } finally {
    reader.release();
  }
}

/**
 * Unblocks the PIN of the chip with its PUK, the way its card type does (`unblockStyle`), and
 * sets `newPin`: the retry counter starts again. `puks` are the PUKs the chip may have
 * ({@link readPukCandidates}), tried in order while the chip answers that one is wrong (each
 * wrong one costs a real card one of its SO tries: there are at most two); answers the one it took.
 *
 * @throws TesseraError naming the card: `pkcs11.pin_incorrect` (no PUK matches),
 * `pkcs11.pin_rejected`, `pkcs11.card_removed`, `pkcs11.token_not_found`, `card.chip_failed`.
 */
export async function unblockPinOnChip(
  chip: CardChip,
  puks: readonly string[],
  newPin: string,
): Promise<string> {
  const { card, serial } = chip;
  return onCardChip(
    chip,
    `Unblocking the PIN of card ${card.cardNumber}`,
    async (reader) => {
      for (const [index, puk] of puks.entries()) {
        try {
          await reader.unblockPin({ serial, puk, newPin, style: chip.settings.unblockStyle });
          return puk;
        } catch (error) {
          const wrong = error instanceof TesseraError && error.code === "pkcs11.pin_incorrect";
          if (!wrong || index === puks.length - 1) throw error;
        }
      }
      throw new Error("unblocking a PIN needs at least one PUK");
    },
    `Card ${card.cardNumber} refused its stored PUK: the PUK does not match the card`,
  );
}

/**
 * Makes `newPuk` the chip's SO PIN, logged in as SO with `puk`, the PUK it took last: the PUK a
 * desk was given stops working.
 *
 * @throws TesseraError naming the card: `pkcs11.pin_incorrect`, `pkcs11.pin_rejected`,
 * `pkcs11.card_removed`, `card.chip_failed` (a card type that has no SO login), …
 */
export async function changePukOnChip(chip: CardChip, puk: string, newPuk: string): Promise<void> {
  const { card, serial } = chip;
  if (puk === newPuk) return;
  await onCardChip(
    chip,
    `Changing the PUK of card ${card.cardNumber}`,
    (reader) => reader.changePuk({ serial, puk, newPuk }),
    `Card ${card.cardNumber} refused the PUK it had just taken`,
  );
}

/**
 * Changes the PIN of the chip from `oldPin`, which the holder typed, to `newPin`.
 *
 * @throws TesseraError naming the card: `pkcs11.pin_incorrect` (a wrong old PIN, counted by the
 * card), `pkcs11.pin_blocked`, `pkcs11.pin_rejected`, `pkcs11.card_removed`, …
 */
export async function changePinOnChip(chip: CardChip, oldPin: string, newPin: string): Promise<void> {
  const { card, serial } = chip;
  await onCardChip(
    chip,
    `Changing the PIN of card ${card.cardNumber}`,
    (reader) => reader.changePin({ serial, oldPin, newPin }),
    `Card ${card.cardNumber} refused the old PIN: it is wrong`,
  );
}

/**
 * Records a PIN operation done on a card's chip (the card's row does not change: the PIN lives
 * on the chip only) and answers the card as it is now. `chipHas` says which PUK the chip took,
 * when it was given its PUK: a pending rotation is settled by it, and the entry says how
 * (`pukSettled`).
 */
export async function recordPinOperation(
  services: Services,
  actor: Actor,
  process: ProcessDefinition,
  chip: CardChip,
  details: Record<string, unknown>,
  chipHas?: "stored" | "pending",
): Promise<Card> {
  const { card } = chip;
  return transact(services.store, async (trx) => {
    const settled = chipHas !== undefined && (await settleCardPuk(trx, card.id, chipHas));
    await appendCardHistory(
      { services, trx, actor, process },
      card,
      { tokenSerial: chip.serial, ...details, ...(settled && { pukSettled: chipHas }) },
      nowIso(services),
    );
    const now = await findCardById(trx, card.id);
    if (!now) throw new TesseraError("card.not_found", `There is no card with id ${card.id}.`);
    return now;
  });
}
