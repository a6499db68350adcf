import type { Card } from "../domain/card.js";
import { type LockReason, revocationReasonForLock } from "../domain/certificate-states.js";
import { changeCardCertificates } from "./card-certificates.js";
import { changeCard, type ProcessRun } from "./card-steps.js";

/**
 * Locks a card for good with `reason`: its valid and held certificates revoked with the reason
 * the lock maps to. Lock card's step, a leaver's (UsersProcDeactivate, reason `left`) and a
 * renewed card's when its successor becomes active (`superseded`).
 */
export async function lockCard(
  run: ProcessRun,
  card: Card,
  lockReason: LockReason,
  details: Record<string, unknown> = {},
): Promise<Card> {
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
    { lockReason, revocationReason: reason, certificatesRevoked: revoked, ...details },
  );
}
