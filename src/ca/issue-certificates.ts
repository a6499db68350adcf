import type { CertificateProfile } from "../domain/card-template.js";
import { type CertificateSubject, randomSerial, serialToHex, subjectText } from "../pki/index.js";
import { insertCertificates } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import type { CertificateAuthority } from "./certificate-authority.js";

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

export interface IssuedCertificate {
  serial: string;
  profile: string;
  der: Buffer;
}

/** Signed but not yet recorded: it must not leave Tessera until {@link recordCertificates} commits. */
export interface SignedCertificate extends IssuedCertificate {
  order: CertificateOrder;
}

/**
 * Signs certificates. Slow work, so it runs outside any transaction; the result is not to be
 * handed to anyone before {@link recordCertificates} has committed it. A bad key or subject
 * throws a 4xx PkiError, and nothing is recorded.
 */
export async function signCertificates(
  ca: CertificateAuthority,
  orders: readonly CertificateOrder[],
): Promise<SignedCertificate[]> {
  return Promise.all(
    orders.map(async (order) => {
      const serial = randomSerial();
      const der = await ca.issuer.issue({
        serial,
        profile: order.profile,
        subject: order.subject,
        publicKey: order.publicKey,
        notBefore: order.notBefore,
        notAfter: order.notAfter,
      });
      return { order, serial: serialToHex(serial), profile: order.profile.name, der };
    }),
  );
}

/**
 * Records signed certificates in the caller's transaction. "No certificate leaves the CA
 * unrecorded": the caller writes a certificate to a card or a file only after this commits.
 */
export async function recordCertificates(
  trx: Db,
  ca: CertificateAuthority,
  signed: readonly SignedCertificate[],
  at: string,
): Promise<void> {
  await insertCertificates(
    trx,
    signed.map(({ order, serial, der }) => ({
      serial,
      cardId: order.cardId,
      profile: order.profile.name,
      subject: subjectText(order.subject),
      state: order.initialState,
      der,
      notBefore: order.notBefore.toISOString(),
      notAfter: readNotAfter(order, ca).toISOString(),
      revokedAt: order.initialState === "onHold" ? at : null,
      revocationReason: order.initialState === "onHold" ? "certificateHold" : null,
    })),
    at,
  );
}

/** Signs and records in one go, in the caller's transaction. */
export async function issueCertificates(
  trx: Db,
  ca: CertificateAuthority,
  orders: readonly CertificateOrder[],
  at: string,
): Promise<IssuedCertificate[]> {
  const signed = await signCertificates(ca, orders);
  await recordCertificates(trx, ca, signed, at);
  return signed.map(({ serial, profile, der }) => ({ serial, profile, der }));
}

/** The validity end actually written: never beyond the CA's own. */
function readNotAfter(order: CertificateOrder, ca: CertificateAuthority): Date {
  return new Date(Math.min(order.notAfter.getTime(), ca.identity.notAfter.getTime()));
}
