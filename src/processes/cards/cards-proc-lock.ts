import { z } from "zod";
import { lockReasons } from "../../domain/certificate-states.js";
import { lockCard } from "../../services/lock-card.js";
import { defineCardProcess } from "../card-process.js";

/** Lock card (lost, stolen, damaged, holder left): final; its certificates are revoked with the reason. */
export const cardsProcLock = defineCardProcess(
  "CardsProcLock",
  { reason: z.enum(lockReasons) },
  (run, card, body) => lockCard(run, card, body.reason),
);
