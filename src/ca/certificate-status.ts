import type { Actor } from "../domain/actor.js";
import type { CertificateRecord } from "../domain/certificate.js";
import {
  type CertificateState,
  canCertificateTransition,
  type RevokeReason,
} from "../domain/certificate-states.js";
import { TesseraError } from "../domain/errors.js";
import type { AuditLog } from "../store/audit-log.js";
import { findCertificate, updateCertificateState } from "../store/certificates.js";
import type { Db } from "../store/database.js";

/**
 * Certificate state changes, in the caller's transaction, each with its history entry. A hold
 * is a revocation with reason certificateHold that can be released (RFC 5280 §5.3.1); a
 * revocation for any other reason is final. OCSP answers from these rows, so a change shows
 * there the moment its transaction commits; the CRL follows at its next publication.
 */
export type CertificateChange =
  | { kind: "hold" }
  | { kind: "release" }
  | { kind: "revoke"; reason: RevokeReason };

const target: Record<CertificateChange["kind"], CertificateState> = {
  hold: "onHold",
  release: "valid",
  revoke: "revoked",
};

export async function changeCertificateState(
  trx: Db,
  audit: AuditLog,
  actor: Actor | null,
  serial: string,
  change: CertificateChange,
  at: string,
  context: Record<string, unknown> = {},
): Promise<CertificateRecord> {
  const certificate = await findCertificate(trx, serial);
  if (!certificate)
    throw new TesseraError("certificate.not_found", `There is no certificate with serial ${serial}.`);
  const to = target[change.kind];
  if (!canCertificateTransition(certificate.state, to))
    throw new TesseraError(
      "certificate.state_not_allowed",
      change.kind === "release"
        ? `Certificate ${serial} is ${certificate.state}, not on hold: there is no hold to release.`
        : `Certificate ${serial} is ${certificate.state}; it cannot be ${change.kind === "hold" ? "put on hold" : "revoked"}.`,
      { serial, state: certificate.state },
    );
  const revocation =
    change.kind === "hold"
      ? { revokedAt: at, revocationReason: "certificateHold" as const }
      : change.kind === "revoke"
        ? { revokedAt: at, revocationReason: change.reason }
        : { revokedAt: null, revocationReason: null };
  const changed = await updateCertificateState(
    trx,
    serial,
    [certificate.state],
    { state: to, ...revocation },
    at,
  );
  if (!changed) throw new TesseraError("certificate.stale", undefined, { serial });
  await audit.append(
    trx,
    [
      {
        action: `certificate.${change.kind}`,
        objectType: "certificate",
        objectId: serial,
        outcome: "success",
        operator: actor,
        details: {
          from: certificate.state,
          to,
          cardId: certificate.cardId,
          ...(revocation.revocationReason && { reason: revocation.revocationReason }),
          ...context,
        },
      },
    ],
    at,
  );
  return { ...certificate, state: to, ...revocation, updatedAt: at };
}
