import type { CertificateProfile } from "../domain/card-template.js";
import { type CertificateSubject, randomSerial, serialToHex } from "../pki/index.js";
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

/**
 * Signs certificates and records them in the caller's transaction. The rule "no certificate
 * leaves the CA unrecorded" is kept by the caller: it hands the DER to a card or a file only
 * after that transaction has committed. A bad key or subject throws a 4xx PkiError before
 * anything is recorded.
 */
export async function issueCertificates(
  trx: Db,
  ca: CertificateAuthority,
  orders: readonly CertificateOrder[],
  at: string,
): Promise<IssuedCertificate[]> {
  const signed = await Promise.all(
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
      return { order, serial: serialToHex(serial), der };
    }),
  );
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
  return signed.map(({ order, serial, der }) => ({ serial, profile: order.profile.name, der }));
}

/** The validity end actually written: never beyond the CA's own. */
function readNotAfter(order: CertificateOrder, ca: CertificateAuthority): Date {
  return new Date(Math.min(order.notAfter.getTime(), ca.identity.notAfter.getTime()));
}

/** A readable subject for lists and search: "CN=…, serialNumber=…". */
export function subjectText(subject: CertificateSubject): string {
  return [
    `CN=${subject.commonName}`,
    subject.organizationalUnit && `OU=${subject.organizationalUnit}`,
    subject.organization && `O=${subject.organization}`,
    `serialNumber=${subject.serialNumber}`,
  ]
    .filter(Boolean)
    .join(", ");
}
