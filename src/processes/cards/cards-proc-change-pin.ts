import { z } from "zod";
import { findProcess } from "../../domain/process-catalog.js";
import { changePinOnChip, checkNewPin, reachCardChip, recordPinOperation } from "../../services/card-pin.js";
import { loadCardFor } from "../../services/card-steps.js";
import { defineProcess } from "../process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "../schemas.js";
import { pinSchema } from "./pin-schema.js";

const definition = findProcess("CardsProcChangePin");

/**
 * Change PIN for a holder who knows the old one, at a helpdesk desk whose reader this server
 * reaches: the holder types the old PIN and the new; the card checks the old (a wrong one is
 * refused, counted by the card and recorded by `runProcess`). Neither PIN is stored.
 */
export const cardsProcChangePin = defineProcess({
  definition,
  status: 200,
  body: z.strictObject({ ...cardRefSchema, oldPin: pinSchema, newPin: pinSchema }),
  result: z.object({ card: cardSchema }),
  async run(services, actor, body) {
    const card = await loadCardFor(services.store.db, definition, body.cardId, body.version);
    const chip = reachCardChip(services, card);
    await checkNewPin(chip, body.newPin);
    await changePinOnChip(chip, body.oldPin, body.newPin);
    const now = await recordPinOperation(services, actor, definition, chip, {});
    return { card: toCardView(now) };
  },
});
