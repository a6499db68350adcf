import { timingSafeEqual } from "node:crypto";
import { normalizeActivationCode } from "../domain/activation-code.js";
import type { Actor } from "../domain/actor.js";
import type { Card } from "../domain/card.js";
import { addressKeyOf } from "../domain/client-address.js";
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
import { findCardById, findCardByNumber } from "../store/cards.js";
import { type Db, transact } from "../store/database.js";
import { lockUntilCommit } from "../store/transaction-locks.js";

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
  const { dialect } = services.store;
  const at = nowIso(services);
  const hourAgo = new Date(services.clock().getTime() - 3600_000).toISOString();
  // The tries of one address in turns, so that parallel tries cannot all pass the count.
  const from = addressKeyOf(address);
  await lockUntilCommit(trx, dialect, "loginCounts", `activation:${from}`);
  const tries = await recordActivationAttempt(trx, from, at, hourAgo);
  const found = await findCardByNumber(trx, cardNumber);
  // In turns with everything else that changes the holder's cards (an issuer activating the
  // same card), taken before any history entry so both take their locks in one order; the card
  // is read again under it.
  if (found) await lockUntilCommit(trx, dialect, "holderCards", found.userId);
  const card = found && (await findCardById(trx, found.id));
  const record = card && (await findActivationCode(trx, card.id));
  const refuse = (refusal: TesseraError) => ({ card, refusal });
  if (tries > holderActivationLimits.triesPerAddressPerHour)
    return refuse(new TesseraError("activation.too_many_tries"));
  // Until the code is right, every refusal reads the same, and the same work is done for a
  // number that does not exist: the page tells no one which cards exist or what became of them.
  const given = Buffer.from(hashActivationCode(card?.id ?? cardNumber, code), "hex");
  const expected = record ? Buffer.from(record.codeHash, "hex") : given.map((b) => b ^ 0xff);
  const spent = record !== undefined && record.failedTries >= holderActivationLimits.wrongCodesPerCard;
  if (!card || !record || !timingSafeEqual(expected, given)) {
    if (card && record && !spent) await countFailedActivationTry(trx, card.id);
    return refuse(new TesseraError("activation.code_wrong"));
  }
  // The right code, too late: it tells the holder to go to the office, and a spent code is no use to anyone else.
  if (spent) return refuse(new TesseraError("activation.too_many_tries"));
  if (record.usedAt !== null || card.state !== "issued")
    return refuse(new TesseraError("activation.code_used"));
  if (record.expiresAt <= at) return refuse(new TesseraError("activation.code_expired"));
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
