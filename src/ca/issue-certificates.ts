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

/**
 * Records signed certificates in the caller's transaction. "No certificate leaves the CA
 * unrecorded": the caller writes a certificate to a card or a file only after this commits.
 */
export async function recordCertificates(
  trx: Db,
  certificates: readonly {
    readonly cardId: string | null;
    readonly certificate: SignedCertificate;
    readonly as: RecordedAs;
  }[],
  at: string,
): Promise<void> {
  const states: Record<RecordedAs, Pick<NewCertificate, "state" | "revocationReason">> = {
    valid: { state: "valid", revocationReason: null },
    onHold: { state: "onHold", revocationReason: "certificateHold" },
    unused: { state: "revoked", revocationReason: "unspecified" },
  };
  await insertCertificates(
    trx,
    certificates.map(({ cardId, certificate, as }) => ({
      serial: certificate.serial,
      cardId,
      profile: certificate.profile,
      subject: certificate.subject,
      ...states[as],
      revokedAt: as === "valid" ? null : at,
      der: Buffer.from(certificate.der),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
    })),
    at,
  );
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
