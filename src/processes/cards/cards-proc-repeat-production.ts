import { changeCard } from "../../services/card-steps.js";
import { defineCardProcess } from "../card-process.js";

/** Repeat production: a failed card is approved again, ready for the next batch. */
export const cardsProcRepeatProduction = defineCardProcess("CardsProcRepeatProduction", {}, (run, card) =>
  changeCard(run, card, { to: "approved", batchId: null, reason: null }),
);
