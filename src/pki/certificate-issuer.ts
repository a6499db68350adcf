import type { CertificateProfile } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import { assertSignerMatches, type CaIdentity, floorToSecond } from "./ca-certificate.js";
import {
  type CertificateSubject,
  checkLogonIdentifiers,
  checkProfilePublicKey,
  encodeSubject,
  profileExtensions,
  publicEndpoints,
  sidExtensionFor,
  statusExtensions,
  subjectAltNameFor,
  subjectText,
} from "./certificate-profiles.js";
import { type Signer, signatureAlgorithmFor } from "./signer.js";
import {
  checkSerial,
  encodeTbsCertificate,
  newSerial,
  serialToHex,
  signTbsCertificate,
} from "./x509-certificate.js";
import {
  authorityKeyIdentifierExtension,
  keyIdentifier,
  subjectKeyIdentifierExtension,
} from "./x509-extensions.js";

/** One certificate to issue. */
export interface IssueRequest {
  /** INTEGER content octets: 1–20 bytes, positive, first byte non-zero (see `newSerial`). */
  readonly serial: Buffer;
  readonly profile: CertificateProfile;
  readonly subject: CertificateSubject;
  /** The holder's public key, DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  readonly notBefore: Date;
  /** Limited to the CA's notAfter (see {@link clampValidity}). */
  readonly notAfter: Date;
}

/** Issues end-entity certificates for one CA. */
export interface CertificateIssuer {
  readonly ca: CaIdentity;
  /**
   * Checks the request and returns the signed certificate (DER).
   *
   * @throws TesseraError `certificate.serial_invalid`, `certificate.validity_invalid`, `ca.expired`,
   * `certificate.public_key_invalid`, `certificate.public_key_mismatch`,
   * `certificate.subject_too_long`, `certificate.subject_invalid`, `certificate.email_invalid`,
   * `certificate.identifier_missing`.
   */
  issue(request: IssueRequest): Promise<Buffer>;
}

/**
 * Issuing one certificate, the one way Tessera does it (a batch's card, a test's, a benchmark's):
 * a fresh serial ({@link newSerial}: its time, then 80 random bits), the validity limited to the
 * CA's (see {@link clampValidity}), signed by `issuer`, and described as it is to be recorded,
 * with the times written in it. The caller records it (`ca/issue-certificates.ts`) before
 * handing it to anyone.
 */
export async function issueCertificate(
  issuer: CertificateIssuer,
  order: Omit<IssueRequest, "serial">,
): Promise<SignedCertificate> {
  const serial = newSerial();
  const { notBefore, notAfter } = clampValidity(issuer.ca, order.notBefore, order.notAfter);
  const der = await issuer.issue({ ...order, serial, notBefore, notAfter });
  return {
    serial: serialToHex(serial),
    profile: order.profile.name,
    subject: subjectText(order.subject),
    der,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
  };
}

/**
 * The validity a certificate gets: both ends floored to whole seconds and notAfter limited to
 * the CA's own notAfter, since a certificate must not outlive its issuer's.
 *
 * @throws TesseraError `ca.expired` when notBefore is not before the CA's notAfter,
 * `certificate.validity_invalid` when the result ends before it starts.
 */
export function clampValidity(
  ca: CaIdentity,
  notBefore: Date,
  notAfter: Date,
): { notBefore: Date; notAfter: Date } {
  const start = floorToSecond(notBefore);
  let end = floorToSecond(notAfter);
  // RFC 5280 §4.1.2.5 cannot express times before 1950.
  if (start.getUTCFullYear() < 1950) {
    throw new TesseraError("certificate.validity_invalid", "notBefore is before 1950.", {
      notBefore: start.toISOString(),
    });
  }
  if (start >= ca.notAfter) throw new TesseraError("ca.expired");
  if (end > ca.notAfter) end = ca.notAfter;
  if (end <= start) {
    throw new TesseraError("certificate.validity_invalid", undefined, {
      notBefore: start.toISOString(),
      notAfter: end.toISOString(),
    });
  }
  return { notBefore: start, notAfter: end };
}

/**
 * An issuer that encodes each certificate from prebuilt parts: the issuer name, the signature
 * algorithm, the authority key identifier, the CRL and OCSP addresses and the per-profile key
 * usages are encoded once; only the serial, validity, subject, subjectAltName, key and subject
 * key identifier are encoded per certificate.
 *
 * @throws TesseraError `ca.key_mismatch` when the signer's key is not the CA certificate's key,
 * `ca.public_url_invalid` for a bad base URL.
 */
export function createCertificateIssuer(params: {
  ca: CaIdentity;
  signer: Signer;
  /** Base of the CRL, OCSP and CA certificate addresses, e.g. `https://id.example.org`. */
  publicBaseUrl: string;
}): CertificateIssuer {
  const { ca, signer } = params;
  assertSignerMatches(signer, ca.publicKey);
  const signatureAlgorithm = signatureAlgorithmFor(ca.keyAlgorithm);
  const trailing = [
    authorityKeyIdentifierExtension(ca.subjectKeyIdentifier),
    ...statusExtensions(publicEndpoints(params.publicBaseUrl)),
  ];
  const fixedByProfile = new Map<string, Buffer[]>();
  const fixedExtensions = (profile: CertificateProfile): Buffer[] => {
    const key = `${profile.kind}/${profile.keyAlgorithm}/${profile.logon?.pkinit ? "pkinit" : ""}`;
    let extensions = fixedByProfile.get(key);
    if (!extensions) {
      extensions = profileExtensions(profile);
      fixedByProfile.set(key, extensions);
    }
    return extensions;
  };

  return Object.freeze({
    ca,
    async issue(request: IssueRequest): Promise<Buffer> {
      checkSerial(request.serial);
      const validity = clampValidity(ca, request.notBefore, request.notAfter);
      const subject = encodeSubject(request.subject);
      checkLogonIdentifiers(request.subject, [request.profile]);
      const subjectAltName = subjectAltNameFor(request.subject, request.profile);
      const key = checkProfilePublicKey(request.publicKey, request.profile.keyAlgorithm);
      const extensions = [...fixedExtensions(request.profile)];
      if (subjectAltName) extensions.push(subjectAltName);
      const sid = sidExtensionFor(request.subject, request.profile);
      if (sid) extensions.push(sid);
      extensions.push(subjectKeyIdentifierExtension(keyIdentifier(key.bits)), ...trailing);
      const tbs = encodeTbsCertificate({
        serial: request.serial,
        signatureAlgorithm,
        issuer: ca.subjectDer,
        notBefore: validity.notBefore,
        notAfter: validity.notAfter,
        subject,
        subjectPublicKeyInfo: key.spki,
        extensions,
      });
      return signTbsCertificate(tbs, signatureAlgorithm, signer);
    },
  });
}
