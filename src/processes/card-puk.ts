import type { Card } from "../domain/card.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { pukLengthBounds } from "../domain/secret-lengths.js";
import { createPukCipher } from "../production/secrets.js";
import { generateNextPuk, readPukCandidates } from "../services/card-pin.js";
import { loadCardFor } from "../services/card-steps.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { countPukDisclosures, findCardPuks, isPukPrintedForCard, setPendingPuk } from "../store/card-puks.js";
import { type Db, transact } from "../store/database.js";
import { recordingRefusal } from "./recording-refusal.js";

/**
 * PUKs one operator may be given in an hour. A desk unblocks a few cards a day; many more is a
 * harvest (a disclosed PUK stays the chip's SO PIN until a desk rotates it), so the rest wait
 * for the next hour.
 */
export const pukDisclosuresPerHour = 20;

/**
 * What a helpdesk desk with its own reader is told to unblock one card: never more than that
 * card's PUKs — the one it has, and the next one the desk makes the chip's SO PIN afterwards.
 */
export interface DisclosedPuk {
  readonly card: Card;
  /** The card's PUK as stored. */
  readonly puk: string;
  /** The PUK the desk sets as the chip's SO PIN after its unblock, then confirms (`rotateCardPuk`). */
  readonly nextPuk: string;
  /**
   * The PUKs the chip's SO PIN may be, in the order to try them: `[puk]`, or `[puk, nextPuk]`
   * while an earlier desk's rotation to `nextPuk` is not confirmed (it may have set it and stopped).
   */
  readonly pukCandidates: readonly string[];
  /** Whether the PIN letter of the batch that made the card printed its PUK (which a rotation retires). */
  readonly pukPrinted: boolean;
}

/**
 * The PUK of one chip card, for a helpdesk desk that unblocks it with its own reader
 * (`tessera card unblock`). Only for a card Unblock PIN may act on now (its roles, checked on
 * the route; its card states, here), made through PKCS#11. Every disclosure is an object-history
 * entry of the card, written in the transaction that reads the PUK; every refusal is recorded.
 *
 * A disclosed PUK is used once: in the same transaction a next PUK is made (digits, as long as
 * the PUK, within the template's bounds) and stored encrypted as the card's pending PUK; the
 * desk makes it the chip's SO PIN after its unblock and confirms (`rotateCardPuk`). While one is
 * pending — a desk stopped between its C_SetPIN and the confirmation, or before — a disclosure
 * makes no other: the chip has the PUK or the pending one, and a third could not be told apart,
 * so the answer names both to try (`pukCandidates`) and the pending one as `nextPuk` again. That
 * one was given to the earlier desk too: `tessera card unblock` confirms it, then asks once more
 * and rotates to a next PUK only it was given.
 */
export async function disclosePuk(services: Services, actor: Actor, cardId: string): Promise<DisclosedPuk> {
  const unblock = findProcess("CardsProcUnblockPin");
  return recordingRefusal(services, actor, "card.disclosePuk", { objectType: "card", objectId: cardId }, () =>
    transact(services.store, async (trx) => {
      const card = await loadCardFor(trx, unblock, cardId, undefined);
      const since = new Date(services.clock().getTime() - 3_600_000).toISOString();
      if ((await countPukDisclosures(trx, actor.id, since)) >= pukDisclosuresPerHour)
        throw new TesseraError(
          "card.puk_limit",
          `You were given ${pukDisclosuresPerHour} PUKs in the last hour, the most one operator may be given: card ${card.cardNumber}'s waits until then. Unblock it on this server's reader meanwhile.`,
          { cardId: card.id, cardNumber: card.cardNumber, limit: pukDisclosuresPerHour },
        );
      const puks = await findCardPuks(trx, card.id);
      if (!card.tokenSerial)
        throw new TesseraError(
          "card.not_chip",
          `Card ${card.cardNumber} is a software token, not a chip card: it has no PUK.`,
          { cardId: card.id, cardNumber: card.cardNumber },
        );
      if (!puks.stored)
        throw new TesseraError("card.no_puk", `No PUK is stored for card ${card.cardNumber}.`, {
          cardId: card.id,
          cardNumber: card.cardNumber,
        });
      const pukCandidates = readPukCandidates(services, card, puks);
      const puk = pukCandidates[0]!;
      let nextPuk = pukCandidates[1];
      if (nextPuk === undefined) {
        const template = services.templates.get(card.template) ?? { pukLength: pukLengthBounds };
        nextPuk = generateNextPuk(template, puk);
        await setPendingPuk(trx, card.id, createPukCipher(services.secrets.pukKey).encrypt(nextPuk, card.id));
      }
      const pukPrinted = await isPukPrintedForCard(trx, card.id);
      await recordPukEvent(services, trx, "card.disclosePuk", card, actor);
      return { card, puk, nextPuk, pukCandidates, pukPrinted };
    }),
  );
}

/** A PUK disclosed or rotated, as an entry of the card's history: never the PUK itself. */
export function recordPukEvent(
  services: Services,
  trx: Db,
  action: "card.disclosePuk" | "card.rotatePuk",
  card: Card,
  actor: Actor,
): Promise<void> {
  return services.audit.append(
    trx,
    [
      {
        action,
        objectType: "card",
        objectId: card.id,
        outcome: "success",
        operator: actor,
        details: { cardNumber: card.cardNumber, tokenSerial: card.tokenSerial },
      },
    ],
    nowIso(services),
  );
}
