import type { CertificateProfile } from "../domain/card-template.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import { type CertificateSubject, issueCertificate } from "../pki/index.js";
import { insertCertificates, type NewCertificate } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import type { CertificateAuthority } from "./certificate-authority.js";

/**
 * Issuing a certificate is one path wherever it runs: `issueCertificate` signs it through the
 * CA's `Signer` (on this thread with `ca.issuer`, or in a production worker over a key the
 * worker cannot export), and {@link recordCertificates} records it before it leaves Tessera.
 */

/**
 * How a certificate is recorded: issued `valid`, issued `onHold` (revoked with certificateHold
 * from the start, RFC 5280 §5.3.1), or `unused`: signed for a card that then failed, recorded
 * revoked at once so it can never be used.
 */
export type RecordedAs = "valid" | "onHold" | "unused";

/** A signed certificate to record: for which card, and as what. */
export interface RecordedCertificate {
  readonly cardId: string | null;
  readonly certificate: SignedCertificate;
  readonly as: RecordedAs;
}

const recordedStates: Record<RecordedAs, Pick<NewCertificate, "state" | "revocationReason">> = {
  valid: { state: "valid", revocationReason: null },
  onHold: { state: "onHold", revocationReason: "certificateHold" },
  unused: { state: "revoked", revocationReason: "unspecified" },
};

/**
 * Records signed certificates in the caller's transaction. "No certificate leaves the CA
 * unrecorded": the caller writes a certificate to a card or a file only after this commits.
 */
export async function recordCertificates(
  trx: Db,
  certificates: readonly RecordedCertificate[],
  at: string,
): Promise<void> {
  // A loop, not a closure made per call: see `production/produce-chunk.ts`.
  const records: NewCertificate[] = [];
  for (const { cardId, certificate, as } of certificates)
    records.push({
      serial: certificate.serial,
      cardId,
      profile: certificate.profile,
      subject: certificate.subject,
      ...recordedStates[as],
      revokedAt: as === "valid" ? null : at,
      der: Buffer.from(certificate.der),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    });
  await insertCertificates(trx, records, at);
}

export interface CertificateOrder {
  cardId: string | null;
  profile: CertificateProfile;
  subject: CertificateSubject;
  /** DER SubjectPublicKeyInfo of the key made on the card. */
  publicKey: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** `onHold` records it revoked with certificateHold from the start. */
  initialState: "valid" | "onHold";
}

/**
 * Signs certificates on this thread through the CA's issuer ({@link issueCertificate}, as a
 * batch does for each card). Slow work, so it runs outside any transaction; the result is not to
 * be handed to anyone before {@link recordCertificates} has committed it. A bad key or subject
 * throws a 4xx error.
 */
export async function signCertificates(
  ca: CertificateAuthority,
  orders: readonly CertificateOrder[],
): Promise<{ cardId: string | null; certificate: SignedCertificate; as: RecordedAs }[]> {
  return Promise.all(
    orders.map(async ({ cardId, initialState, ...order }) => ({
      cardId,
      certificate: await issueCertificate(ca.issuer, order),
      as: initialState,
    })),
  );
}
