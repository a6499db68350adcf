import { TesseraError } from "../../domain/errors.js";
import { checkNewPin, readPukCandidates, unblockPinOnChip } from "../../services/card-pin.js";
import { findCardPuks } from "../../store/card-puks.js";
import { definePinProcess } from "../pin-process.js";

/**
 * Unblock PIN: with the card's stored PUK, set the new PIN the holder chose on a chip card this
 * server's readers reach; the retry counter starts again. How the PUK unblocks is the card
 * type's (`unblockStyle`). The PUK use is a history entry, and so is a PUK the card refuses
 * (the refusal, recorded by `runProcess`); the PIN is never stored.
 *
 * While a desk's PUK rotation is not confirmed the chip's SO PIN is the PUK or the pending next
 * one: both are tried, and the one the chip takes settles which the card has (`pukSettled`).
 */
export const cardsProcUnblockPin = definePinProcess("CardsProcUnblockPin", async (services, chip, body) => {
  const { card } = chip;
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
  return {
    details: { pukUsed: true, unblockStyle: chip.settings.unblockStyle },
    chipHas: used === candidates[0] ? "stored" : "pending",
  };
});
