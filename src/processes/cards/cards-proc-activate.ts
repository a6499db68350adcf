import { activateCard } from "../../services/activate-card.js";
import { defineCardProcess } from "../card-process.js";

/** Activate card: the holder has received an issued card; it becomes active, its certificates valid. */
export const cardsProcActivate = defineCardProcess(
  "CardsProcActivate",
  ({ services, trx, actor, process }, card) => activateCard(services, trx, actor, process, card),
);
