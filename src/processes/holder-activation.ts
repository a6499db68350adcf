import { timingSafeEqual } from "node:crypto";
import { normalizeActivationCode } from "../domain/activation-code.js";
import type { Actor } from "../domain/actor.js";
import type { Card } from "../domain/card.js";
import { isClientError, TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { activateCard } from "../services/activate-card.js";
import { nowIso, type Services } from "../services/services.js";
import {
  countFailedActivationTry,
  findActivationCode,
  hashActivationCode,
  markActivationCodeUsed,
  recordActivationAttempt,
} from "../store/activation-codes.js";
import { findCardByNumber } from "../store/cards.js";
import { type Db, transact } from "../store/database.js";

/** Wrong codes a card takes before its code is spent; tries an address makes in an hour. */
export const holderActivationLimits = { wrongCodesPerCard: 5, triesPerAddressPerHour: 20 } as const;

const activate = findProcess("CardsProcActivate");

/** Who activates: the holder, known by their card number and code, not an operator. */
const holderActor = (card: Card): Actor => ({
  id: "holder",
  username: `holder of ${card.cardNumber}`,
  roles: [],
});

/**
 * The holder activates their own card with the one-time code of its PIN letter (issue 12): the
 * card becomes active and its certificates valid, as when the issuing authority activates it.
 * Every try is a history entry and counts against its address; a wrong code counts against
 * the card too, whose code is spent after a few. A malformed entry is refused before anything
 * is recorded.
 */
export async function activateAsHolder(
  services: Services,
  typed: { cardNumber: string; code: string; address: string },
): Promise<{ cardNumber: string }> {
  const code = normalizeActivationCode(typed.code);
  const cardNumber = typed.cardNumber.replace(/\s/g, "");
  if (!code || !/^[0-9A-Za-z-]{1,40}$/.test(cardNumber)) throw new TesseraError("activation.code_malformed");
  if (!(await services.getOptions()).holderActivation.enabled)
    throw new TesseraError("activation.not_offered");
  let card: Card | undefined;
  try {
    const refusal = await transact(services.store, async (trx) => {
      const checked = await checkTry(services, trx, cardNumber, code, typed.address);
      card = checked.card;
      await recordTry(services, trx, checked.card, cardNumber, typed.address, checked.refusal);
      if (checked.refusal) return checked.refusal;
      await markActivationCodeUsed(trx, checked.card!.id, nowIso(services));
      await activateCard(services, trx, holderActor(checked.card!), activate, checked.card!);
      return undefined;
    });
    if (refusal) throw refusal;
    return { cardNumber };
  } catch (error) {
    // Refused by activation itself (the holder left, the card ended): its transaction rolled
    // back, so the try is recorded on its own.
    if (
      card &&
      error instanceof TesseraError &&
      isClientError(error) &&
      !error.code.startsWith("activation.")
    )
      await transact(services.store, (trx) =>
        recordTry(services, trx, card, cardNumber, typed.address, error),
      );
    throw error;
  }
}

async function checkTry(
  services: Services,
  trx: Db,
  cardNumber: string,
  code: string,
  address: string,
): Promise<{ card: Card | undefined; refusal: TesseraError | undefined }> {
  const at = nowIso(services);
  const hourAgo = new Date(services.clock().getTime() - 3600_000).toISOString();
  const tries = await recordActivationAttempt(trx, address, at, hourAgo);
  const card = await findCardByNumber(trx, cardNumber);
  const record = card && (await findActivationCode(trx, card.id));
  const refuse = (refusal: TesseraError) => ({ card, refusal });
  if (tries > holderActivationLimits.triesPerAddressPerHour)
    return refuse(new TesseraError("activation.too_many_tries"));
  // An unknown card number is answered as a wrong code: the page tells no one which numbers exist.
  if (!card || !record) return refuse(new TesseraError("activation.code_wrong"));
  if (record.failedTries >= holderActivationLimits.wrongCodesPerCard)
    return refuse(new TesseraError("activation.too_many_tries"));
  if (record.usedAt !== null || card.state !== "issued")
    return refuse(new TesseraError("activation.code_used"));
  if (record.expiresAt <= at) return refuse(new TesseraError("activation.code_expired"));
  const expected = Buffer.from(record.codeHash, "hex");
  if (!timingSafeEqual(expected, Buffer.from(hashActivationCode(card.id, code), "hex"))) {
    await countFailedActivationTry(trx, card.id);
    return refuse(new TesseraError("activation.code_wrong"));
  }
  return { card, refusal: undefined };
}

async function recordTry(
  services: Services,
  trx: Db,
  card: Card | undefined,
  cardNumber: string,
  address: string,
  refusal: TesseraError | undefined,
): Promise<void> {
  await services.audit.append(
    trx,
    [
      {
        action: "card.holderActivation",
        objectType: card ? "card" : null,
        objectId: card?.id ?? null,
        outcome: refusal ? "refused" : "success",
        operator: null,
        details: { cardNumber, address, ...(refusal && { code: refusal.code }) },
      },
    ],
    nowIso(services),
  );
}
