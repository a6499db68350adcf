import type { Card } from "../domain/card.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { readCardPuk } from "../services/card-pin.js";
import { loadCardFor } from "../services/card-steps.js";
import { type Actor, nowIso, type Services } from "../services/services.js";
import { countPukDisclosures, findCardPuk } from "../store/card-puks.js";
import { transact } from "../store/database.js";
import { recordingRefusal } from "./recording-refusal.js";

/**
 * PUKs one operator may be given in an hour. A desk unblocks a few cards a day; many more is a
 * harvest (a disclosed PUK stays the chip's SO PIN), so the rest wait for the next hour.
 */
export const pukDisclosuresPerHour = 20;

/** What a helpdesk desk with its own reader is told to unblock one card: never more than that card's PUK. */
export interface DisclosedPuk {
  readonly card: Card;
  readonly puk: string;
}

/**
 * The PUK of one chip card, for a helpdesk desk that unblocks it with its own reader
 * (`tessera card unblock`). Only for a card Unblock PIN may act on now (its roles, checked on
 * the route; its card states, here), made through PKCS#11. Every disclosure is an object-history
 * entry of the card, written in the transaction that reads the PUK; every refusal is recorded.
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
      const encrypted = await findCardPuk(trx, card.id);
      if (!card.tokenSerial)
        throw new TesseraError(
          "card.not_chip",
          `Card ${card.cardNumber} is a software token, not a chip card: it has no PUK.`,
          { cardId: card.id, cardNumber: card.cardNumber },
        );
      if (!encrypted)
        throw new TesseraError("card.no_puk", `No PUK is stored for card ${card.cardNumber}.`, {
          cardId: card.id,
          cardNumber: card.cardNumber,
        });
      const puk = readCardPuk(services, card, encrypted);
      await services.audit.append(
        trx,
        [
          {
            action: "card.disclosePuk",
            objectType: "card",
            objectId: card.id,
            outcome: "success",
            operator: actor,
            details: { cardNumber: card.cardNumber, tokenSerial: card.tokenSerial },
          },
        ],
        nowIso(services),
      );
      return { card, puk };
    }),
  );
}
