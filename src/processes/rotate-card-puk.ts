import type { Card } from "../domain/card.js";
import { TesseraError } from "../domain/errors.js";
import type { Actor, Services } from "../services/services.js";
import { findLatestPukEvent, settleCardPuk } from "../store/card-puks.js";
import { findCardById } from "../store/cards.js";
import { transact } from "../store/database.js";
import { recordPukEvent } from "./card-puk.js";
import { recordingRefusal } from "./recording-refusal.js";

/**
 * A helpdesk desk's word that the chip's SO PIN is now the next PUK it was given with the PUK
 * (`disclosePuk`): the pending PUK becomes the card's PUK, and the rotation is an object-history
 * entry (`card.rotatePuk`) written in the same transaction. Said again after it was done, it
 * changes nothing and answers as before (a desk that lost the answer may repeat it); said when
 * no rotation waits, it is refused (`card.no_pending_puk`, recorded). The roles are the
 * disclosure's, checked on the route; no card state is checked: the chip has the new PUK
 * whatever the card became since.
 */
export async function rotateCardPuk(services: Services, actor: Actor, cardId: string): Promise<Card> {
  return recordingRefusal(services, actor, "card.rotatePuk", { objectType: "card", objectId: cardId }, () =>
    transact(services.store, async (trx) => {
      const card = await findCardById(trx, cardId);
      if (!card) throw new TesseraError("card.not_found", `There is no card with id ${cardId}.`);
      if (await settleCardPuk(trx, card.id, "pending")) {
        await recordPukEvent(services, trx, "card.rotatePuk", card, actor);
        return card;
      }
      // Nothing pending: a repeat of the confirmation that settled the last disclosure is answered
      // as it was; anything else had no rotation to confirm.
      if ((await findLatestPukEvent(trx, card.id)) === "card.rotatePuk") return card;
      throw new TesseraError(
        "card.no_pending_puk",
        `No PUK rotation is waiting for card ${card.cardNumber}: no desk was given its PUK since it was last rotated or settled, so nothing was changed.`,
        { cardId: card.id, cardNumber: card.cardNumber },
      );
    }),
  );
}
