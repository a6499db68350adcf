import { changePinOnChip, checkNewPin } from "../../services/card-pin.js";
import { definePinProcess } from "../pin-process.js";

/**
 * Change PIN for a holder who knows the old one, at a helpdesk desk whose reader this server
 * reaches: the holder types the old PIN and the new; the card checks the old (a wrong one is
 * refused, counted by the card and recorded by `runProcess`). Neither PIN is stored.
 */
export const cardsProcChangePin = definePinProcess("CardsProcChangePin", async (_services, chip, body) => {
  await checkNewPin(chip, body.newPin);
  await changePinOnChip(chip, body.oldPin, body.newPin);
  return { details: {} };
});
