import {
  type CertificateProfile,
  type KeyAlgorithm,
  type LogonProblem,
  type LogonSettings,
  logonOf,
  logonProblems,
  type ProfileKind,
  pkinitPrincipalNameOf,
} from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { sequence } from "./der.js";
import { encodeAttribute, isPlainText } from "./distinguished-name.js";
import { keyUsageFor } from "./key-usage.js";
import { Oid } from "./oids.js";
import { readSubjectPublicKey, type SubjectPublicKey } from "./subject-public-key.js";
import {
  authorityInfoAccessExtension,
  crlDistributionPointsExtension,
  emailName,
  extendedKeyUsageExtension,
  keyUsageExtension,
  pkinitPrincipalName,
  sidExtension,
  sidUrlName,
  subjectAltNameExtension,
  upnName,
} from "./x509-extensions.js";

/** The holder a certificate is issued to, from the user record. */
export interface CertificateSubject {
  readonly commonName: string;
  readonly organization?: string | undefined;
  readonly organizationalUnit?: string | undefined;
  /** The user's identifier, written as the X.520 serialNumber attribute (PrintableString). */
  readonly serialNumber: string;
  /** Written as an rfc822Name in subjectAltName (RFC 5280 §4.1.2.6: not in the subject). */
  readonly email?: string | undefined;
  /** Microsoft user principal name for smart card logon: an otherName in subjectAltName. */
  readonly upn?: string | undefined;
  /** The holder's Windows security identifier (`S-1-5-21-…`), for strong certificate mapping. */
  readonly sid?: string | undefined;
}

/** A readable subject for lists and search ("CN=…, OU=…, O=…, serialNumber=…"), not DER. */
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

/** ub-emailaddress-length (RFC 5280 Appendix A). */
export const maxEmailLength = 255;
/** Active Directory's bound on userPrincipalName. */
export const maxUpnLength = 1024;

/**
 * The extendedKeyUsage purposes of a profile (RFC 5280 §4.2.1.12); none for signature. A PKINIT
 * authentication certificate adds id-pkinit-KPClientAuth, which MIT and Heimdal KDCs look for.
 */
export function extendedKeyUsageFor(kind: ProfileKind, logon?: LogonSettings): string[] {
  switch (kind) {
    case "authentication":
      return logon?.pkinit
        ? [Oid.clientAuth, Oid.smartcardLogon, Oid.pkinitClientAuth]
        : [Oid.clientAuth, Oid.smartcardLogon];
    case "signature":
      return [];
    case "encryption":
      return [Oid.emailProtection];
  }
}

/** The DER extensions fixed by the profile: keyUsage and extendedKeyUsage. */
export function profileExtensions(profile: CertificateProfile): Buffer[] {
  const extensions = [keyUsageExtension(keyUsageFor(profile.kind, profile.keyAlgorithm))];
  const purposes = extendedKeyUsageFor(profile.kind, logonOf(profile));
  if (purposes.length > 0) extensions.push(extendedKeyUsageExtension(purposes));
  return extensions;
}

/** The refusal of a logon certificate for a problem of its holder, with what mends it. */
function logonRefusal(problem: LogonProblem): TesseraError {
  const sentence = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
  const remedy =
    problem.field === "identifier"
      ? "."
      : `: ${problem.missing ? "add" : "correct"} it (Edit user), then repeat production.`;
  return new TesseraError(
    problem.missing ? "certificate.identifier_missing" : "certificate.subject_invalid",
    `${sentence}${remedy}`,
    { field: problem.field },
  );
}

/**
 * Refuses a holder who lacks an identifier the profiles require (a logon certificate without it
 * would not log on), or whose UPN or identifier cannot name the Kerberos principal, naming the
 * field, before anything is made for the card.
 *
 * @throws TesseraError `certificate.identifier_missing` or `certificate.subject_invalid`.
 */
export function checkLogonIdentifiers(
  subject: CertificateSubject,
  profiles: readonly CertificateProfile[],
): void {
  const problem = logonProblems({ ...subject, identifier: subject.serialNumber }, profiles)[0];
  if (problem) throw logonRefusal(problem);
}

/** The SID extension, when the profile writes the SID as one and the holder has a SID. */
export function sidExtensionFor(
  subject: CertificateSubject,
  profile: CertificateProfile,
): Buffer | undefined {
  const form = logonOf(profile)?.sid;
  return subject.sid && (form === "extension" || form === "both") ? sidExtension(subject.sid) : undefined;
}

/** The name of the holder's Kerberos principal, or a refusal naming the field it came from. */
function principalNameOf(subject: CertificateSubject, pkinit: NonNullable<LogonSettings["pkinit"]>): string {
  const principal = pkinitPrincipalNameOf({ ...subject, identifier: subject.serialNumber }, pkinit);
  if ("problem" in principal) throw logonRefusal(principal.problem);
  return principal.name;
}

/** The public addresses of the CA's certificate, CRL and OCSP responder. */
export interface PublicEndpoints {
  /** The CRL, DER (`application/pkix-crl`). */
  readonly crl: string;
  /** The OCSP responder (GET and POST, RFC 6960 Appendix A). */
  readonly ocsp: string;
  /** The CA certificate, DER (`application/pkix-cert`, RFC 5280 §4.2.2.1). */
  readonly caIssuers: string;
}

/**
 * The addresses written into certificates, from the public base URL: `${base}/pki/crl`,
 * `${base}/pki/ocsp` and `${base}/pki/ca.cer`.
 *
 * @throws TesseraError `ca.public_url_invalid` unless the base is an absolute http(s) URL without
 * credentials, query or fragment.
 */
export function publicEndpoints(publicBaseUrl: string): PublicEndpoints {
  let url: URL;
  try {
    url = new URL(publicBaseUrl);
  } catch {
    throw new TesseraError("ca.public_url_invalid", undefined, { publicBaseUrl });
  }
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    publicBaseUrl.includes("?") ||
    publicBaseUrl.includes("#")
  ) {
    throw new TesseraError("ca.public_url_invalid", undefined, { publicBaseUrl });
  }
  // URL serialises to ASCII (punycode host, percent-encoded path), as IA5String needs.
  const base = url.origin + url.pathname.replace(/\/+$/, "");
  return { crl: `${base}/pki/crl`, ocsp: `${base}/pki/ocsp`, caIssuers: `${base}/pki/ca.cer` };
}

/** cRLDistributionPoints and authorityInfoAccess (OCSP, caIssuers) for the endpoints. */
export function statusExtensions(endpoints: PublicEndpoints): Buffer[] {
  return [
    crlDistributionPointsExtension(endpoints.crl),
    authorityInfoAccessExtension(endpoints.ocsp, endpoints.caIssuers),
  ];
}

/**
 * The subject `Name`: O, OU, CN, serialNumber (most significant first), each checked against
 * its X.520 bound. Empty optional fields are left out.
 *
 * @throws TesseraError `certificate.subject_too_long` or `certificate.subject_invalid`.
 */
export function encodeSubject(subject: CertificateSubject): Buffer {
  const rdns: Buffer[] = [];
  if (subject.organization) rdns.push(encodeAttribute("O", subject.organization));
  if (subject.organizationalUnit) rdns.push(encodeAttribute("OU", subject.organizationalUnit));
  rdns.push(encodeAttribute("CN", subject.commonName));
  rdns.push(encodeAttribute("serialNumber", subject.serialNumber));
  return sequence(...rdns);
}

// A practical subset of RFC 5321 §4.1.2 Mailbox: ASCII dot-atoms on both sides.
const emailPattern =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** @throws TesseraError `certificate.subject_too_long` when `value` is longer than `max` characters. */
function checkAltNameLength(field: "email" | "upn", value: string, max: number): void {
  if (value.length > max)
    throw new TesseraError("certificate.subject_too_long", `The ${field} is longer than ${max} characters.`, {
      field,
      max,
    });
}

/**
 * The subjectAltName extension, or undefined when it would be empty: rfc822Name for the e-mail,
 * otherName UPN, and for an authentication profile the SID as a URL and the PKINIT principal
 * when its logon settings ask for them.
 *
 * @throws TesseraError `certificate.subject_too_long`, `certificate.email_invalid`,
 * `certificate.subject_invalid` or `certificate.identifier_missing`.
 */
export function subjectAltNameFor(
  subject: CertificateSubject,
  profile?: CertificateProfile,
): Buffer | undefined {
  const names: Buffer[] = [];
  if (subject.email) {
    checkAltNameLength("email", subject.email, maxEmailLength);
    // rfc822Name is an IA5String (RFC 5280 §4.2.1.6); internationalised addresses need RFC 9598.
    if (!emailPattern.test(subject.email))
      throw new TesseraError("certificate.email_invalid", undefined, { field: "email" });
    names.push(emailName(subject.email));
  }
  if (subject.upn) {
    checkAltNameLength("upn", subject.upn, maxUpnLength);
    if (subject.upn.trim().length === 0 || !isPlainText(subject.upn)) {
      throw new TesseraError("certificate.subject_invalid", "The upn holds characters it may not hold.", {
        field: "upn",
      });
    }
    names.push(upnName(subject.upn));
  }
  const logon = profile && logonOf(profile);
  if (logon) {
    if (subject.sid && (logon.sid === "url" || logon.sid === "both")) names.push(sidUrlName(subject.sid));
    if (logon.pkinit)
      names.push(pkinitPrincipalName(logon.pkinit.realm, [principalNameOf(subject, logon.pkinit)]));
  }
  return names.length > 0 ? subjectAltNameExtension(names) : undefined;
}

/**
 * Reads the subject's public key and checks that it is what the profile asks for: the same
 * curve (P-256 or P-384) or the same RSA modulus size.
 *
 * @throws TesseraError `certificate.public_key_invalid` or `certificate.public_key_mismatch`.
 */
export function checkProfilePublicKey(spki: Uint8Array, keyAlgorithm: KeyAlgorithm): SubjectPublicKey {
  const key = readSubjectPublicKey(spki);
  if (key.keyAlgorithm !== keyAlgorithm) {
    throw new TesseraError(
      "certificate.public_key_mismatch",
      `The profile needs a ${keyAlgorithm} key; this key is ${key.keyAlgorithm ?? "of another algorithm or size"}.`,
      { expected: keyAlgorithm, actual: key.keyAlgorithm ?? null },
    );
  }
  return key;
}
