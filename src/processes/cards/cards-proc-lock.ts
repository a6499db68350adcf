import { lockCard } from "../../services/lock-card.js";
import { defineCardProcess } from "../card-process.js";

/** Lock card (lost, stolen, damaged, holder left): final; its certificates are revoked with the reason. */
export const cardsProcLock = defineCardProcess("CardsProcLock", (run, card, body) =>
  lockCard(run, card, body.reason),
);
