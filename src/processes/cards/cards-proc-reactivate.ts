import { activateCard } from "../../services/activate-card.js";
import { defineCardProcess } from "../card-process.js";

/** Reactivate card: an inactive card of an active holder becomes active again, its certificates valid. */
export const cardsProcReactivate = defineCardProcess(
  "CardsProcReactivate",
  // activateCard refuses a card of an inactive holder (with the holder's cards locked).
  async ({ services, trx, actor, process }, card) =>
    activateCard(services, trx, actor, process, card, { reason: null }),
);
