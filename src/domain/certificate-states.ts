/**
 * Certificate states. `onHold` is a revocation with reason certificateHold (RFC 5280 §5.3.1)
 * that can be released; `revoked` is final.
 */
export const certificateStates = ["onHold", "valid", "revoked", "expired"] as const;
export type CertificateState = (typeof certificateStates)[number];

/** The states Issue multiple cards may leave its cards' certificates in. */
export const certificateEndStates = ["onHold", "valid"] as const satisfies readonly CertificateState[];

/** The RFC 5280 §5.3.1 reasons an operator may give when revoking a certificate (Revoke certificate). */
export const revokeReasons = [
  "unspecified",
  "keyCompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
] as const;

export type RevokeReason = (typeof revokeReasons)[number];

/** RFC 5280 §5.3.1 reason codes Tessera uses: an operator's, and certificateHold for a certificate on hold. */
export const revocationReasons = [...revokeReasons, "certificateHold"] as const;
export type RevocationReason = (typeof revocationReasons)[number];

const transitions: Record<CertificateState, readonly CertificateState[]> = {
  onHold: ["valid", "revoked", "expired"],
  valid: ["onHold", "revoked", "expired"],
  revoked: [],
  expired: [],
};

export function canCertificateTransition(from: CertificateState, to: CertificateState): boolean {
  return transitions[from].includes(to);
}

/** Lock reasons map to the revocation reason written in the CRL and OCSP. */
export const lockReasons = ["lost", "stolen", "damaged", "left"] as const;
/**
 * Why a card was locked: an operator's reason, or `superseded`, which only the activation of the
 * card's successor (Renew multiple cards) sets.
 */
export type LockReason = (typeof lockReasons)[number] | "superseded";

export const revocationReasonForLock: Record<LockReason, RevocationReason> = {
  lost: "keyCompromise",
  stolen: "keyCompromise",
  damaged: "superseded",
  left: "cessationOfOperation",
  superseded: "superseded",
};
