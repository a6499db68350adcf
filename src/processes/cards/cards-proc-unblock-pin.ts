import { z } from "zod";
import { TesseraError } from "../../domain/errors.js";
import { findProcess } from "../../domain/process-catalog.js";
import {
  checkNewPin,
  reachCardChip,
  readPukCandidates,
  recordPinOperation,
  unblockPinOnChip,
} from "../../services/card-pin.js";
import { loadCardFor } from "../../services/card-steps.js";
import { findCardPuks } from "../../store/card-puks.js";
import { defineProcess } from "../process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "../schemas.js";
import { pinSchema } from "./pin-schema.js";

const definition = findProcess("CardsProcUnblockPin");

/**
 * Unblock PIN: with the card's stored PUK, set the new PIN the holder chose on a chip card this
 * server's readers reach; the retry counter starts again. How the PUK unblocks is the card
 * type's (`unblockStyle`). The PUK use is a history entry, and so is a PUK the card refuses
 * (the refusal, recorded by `runProcess`); the PIN is never stored.
 *
 * While a desk's PUK rotation is not confirmed the chip's SO PIN is the PUK or the pending next
 * one: both are tried, and the one the chip takes settles which the card has (`pukSettled`).
 *
 * The chip is worked on outside any transaction (a card is slow, and on SQLite a transaction
 * holds the only connection); the history entry is written once the chip said yes.
 */
export const cardsProcUnblockPin = defineProcess({
  definition,
  status: 200,
  body: z.strictObject({ ...cardRefSchema, newPin: pinSchema }),
  result: z.object({ card: cardSchema }),
  async run(services, actor, body) {
    const card = await loadCardFor(services.store.db, definition, body.cardId, body.version);
    const chip = reachCardChip(services, card);
    const puks = await findCardPuks(services.store.db, card.id);
    if (!puks.stored)
      throw new TesseraError(
        "card.no_puk",
        `No PUK is stored for card ${card.cardNumber}, so its PIN cannot be unblocked here.`,
        { cardId: card.id, cardNumber: card.cardNumber },
      );
    await checkNewPin(chip, body.newPin);
    // A desk's rotation not confirmed: the chip has the PUK or the pending one; the one it takes settles it.
    const candidates = readPukCandidates(services, card, puks);
    const used = await unblockPinOnChip(chip, candidates, body.newPin);
    const now = await recordPinOperation(
      services,
      actor,
      definition,
      chip,
      { pukUsed: true, unblockStyle: chip.settings.unblockStyle },
      used === candidates[0] ? "stored" : "pending",
    );
    return { card: toCardView(now) };
  },
});
