import { z } from "zod";
import type { Card } from "../../domain/card.js";
import { type LockReason, lockReasons, revocationReasonForLock } from "../../domain/certificate-states.js";
import { changeCardCertificates } from "../../services/card-certificates.js";
import { changeCard, type ProcessRun } from "../../services/card-steps.js";
import { defineCardProcess } from "../card-process.js";

/**
 * Locks a card for good with `reason`: its valid and held certificates revoked with the reason
 * the lock maps to. Lock card's step, and a leaver's (UsersProcDeactivate, reason `left`).
 */
export async function lockCard(run: ProcessRun, card: Card, lockReason: LockReason): Promise<Card> {
  const { services, trx, actor } = run;
  const reason = revocationReasonForLock[lockReason];
  const revoked = await changeCardCertificates(services, trx, actor, card.id, ["valid", "onHold"], {
    kind: "revoke",
    reason: reason as Exclude<typeof reason, "certificateHold">,
  });
  return changeCard(
    run,
    card,
    { to: "locked", reason: lockReason },
    { lockReason, revocationReason: reason, certificatesRevoked: revoked },
  );
}

/** Lock card (lost, stolen, damaged, holder left): final; its certificates are revoked with the reason. */
export const cardsProcLock = defineCardProcess(
  "CardsProcLock",
  { reason: z.enum(lockReasons) },
  (run, card, body) => lockCard(run, card, body.reason),
);
