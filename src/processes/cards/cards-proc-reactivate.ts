import { TesseraError } from "../../domain/errors.js";
import { activateCard } from "../../services/activate-card.js";
import { findUserById } from "../../store/users.js";
import { defineCardProcess } from "../card-process.js";

/** Reactivate card: an inactive card of an active holder becomes active again, its certificates valid. */
export const cardsProcReactivate = defineCardProcess(
  "CardsProcReactivate",
  {},
  async ({ services, trx, actor, process }, card) => {
    const user = await findUserById(trx, card.userId);
    if (user?.state !== "active")
      throw new TesseraError("user.inactive", `The holder of card ${card.cardNumber} is not active.`, {
        cardId: card.id,
      });
    return activateCard(services, trx, actor, process, card, { reason: null });
  },
);
