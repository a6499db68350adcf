import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { type ErrorCode, TesseraError } from "../domain/errors.js";
import { children, content, isDerError, readWhole, Tag } from "./der.js";
import { encodeName, type NameAttribute, parseDistinguishedName } from "./distinguished-name.js";
import { Oid } from "./oids.js";
import { fromPem } from "./pem.js";
import { type Signer, type SigningKeyAlgorithm, signatureAlgorithmFor, spkiOf } from "./signer.js";
import { readSubjectPublicKey } from "./subject-public-key.js";
import {
  checkSerial,
  encodeTbsCertificate,
  newSerial,
  type ReadCertificate,
  readCertificate,
  serialToHex,
  signTbsCertificate,
} from "./x509-certificate.js";
import {
  basicConstraintsExtension,
  KeyUsageBit,
  keyIdentifier,
  keyUsageExtension,
  subjectKeyIdentifierExtension,
} from "./x509-extensions.js";

/** Hashes of the CA's name and key as an OCSP CertID carries them (RFC 6960 §4.1.1). */
export interface CertIdHashes {
  readonly sha1: Buffer;
  readonly sha256: Buffer;
}

/**
 * What issuance, CRLs and OCSP need to know about the CA, read once from its certificate.
 * Build it with {@link parseCaCertificate}.
 */
export interface CaIdentity {
  readonly certificateDer: Buffer;
  /** The DER `Name` of the CA: the issuer of everything it signs. */
  readonly subjectDer: Buffer;
  /** The CA's key identifier, written as the authorityKeyIdentifier of what it signs. */
  readonly subjectKeyIdentifier: Buffer;
  /** The CA's public key as a normalised DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
  readonly keyAlgorithm: SigningKeyAlgorithm;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hash of {@link subjectDer}: OCSP `issuerNameHash`. */
  readonly issuerNameHash: CertIdHashes;
  /** Hash of the subjectPublicKey BIT STRING value: OCSP `issuerKeyHash`. */
  readonly issuerKeyHash: CertIdHashes;
}

/** Parameters of {@link createCaCertificate}. */
export interface CreateCaCertificateParams {
  /**
   * The CA's name: an RFC 4514 string such as `CN=Tessera Demo CA,O=Tessera` (written in X.509
   * order, O before CN) or attributes in X.509 order.
   */
  readonly subjectName: string | readonly NameAttribute[];
  readonly signer: Signer;
  readonly notBefore: Date;
  /** Default 10. */
  readonly validityYears?: number;
  /** INTEGER content octets; default {@link newSerial}. */
  readonly serial?: Buffer;
}

/**
 * A self-signed CA certificate (DER) for the signer's key: basicConstraints critical CA:TRUE
 * pathLen 0 (it issues only end-entity certificates), keyUsage critical keyCertSign, cRLSign
 * and digitalSignature, and a subjectKeyIdentifier.
 *
 * digitalSignature is set because the CA key may sign OCSP responses itself (RFC 6960
 * §4.2.2.2); the CA/Browser Forum Baseline Requirements §7.1.2.1 require it in that case.
 */
export async function createCaCertificate(params: CreateCaCertificateParams): Promise<Buffer> {
  const { signer, notBefore } = params;
  const attributes =
    typeof params.subjectName === "string" ? parseDistinguishedName(params.subjectName) : params.subjectName;
  const subject = encodeName(attributes);
  const serial = params.serial ?? newSerial();
  checkSerial(serial);
  const validityYears = params.validityYears ?? 10;
  if (!Number.isInteger(validityYears) || validityYears < 1 || validityYears > 50) {
    throw new TesseraError("certificate.validity_invalid", "The CA validity must be 1 to 50 whole years.");
  }
  const start = floorToSecond(notBefore);
  const notAfter = new Date(start);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  if (start.getUTCFullYear() < 1950 || notAfter.getUTCFullYear() > 9999) {
    throw new TesseraError("certificate.validity_invalid", "X.509 times run from 1950 to 9999.");
  }
  const publicKey = readSubjectPublicKey(signer.publicKey);
  const signatureAlgorithm = signatureAlgorithmFor(signer.keyAlgorithm);
  const tbs = encodeTbsCertificate({
    serial,
    signatureAlgorithm,
    issuer: subject,
    notBefore: start,
    notAfter,
    subject,
    subjectPublicKeyInfo: publicKey.spki,
    extensions: [
      basicConstraintsExtension(true, 0),
      keyUsageExtension([KeyUsageBit.digitalSignature, KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifierExtension(keyIdentifier(publicKey.bits)),
    ],
  });
  return signTbsCertificate(tbs, signatureAlgorithm, signer);
}

/** `date` without its milliseconds: X.509 and OCSP times are whole seconds. */
export function floorToSecond(date: Date): Date {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new TesseraError("certificate.validity_invalid", "A date is not valid.");
  return new Date(time - (((time % 1000) + 1000) % 1000));
}

interface CaFacts {
  readonly certificate: ReadCertificate;
  readonly isCa: boolean;
  readonly keyUsageBits: number[] | undefined;
  readonly subjectKeyIdentifier: Buffer | undefined;
}

function readCaFacts(certificate: ReadCertificate): CaFacts {
  const basicConstraints = certificate.extensions.get(Oid.basicConstraints);
  let isCa = false;
  if (basicConstraints) {
    const value = basicConstraints.value;
    const [first] = children(value, readWhole(value, Tag.sequence));
    isCa = first?.tag === Tag.boolean && content(value, first)[0] === 0xff;
  }
  let keyUsageBits: number[] | undefined;
  const keyUsage = certificate.extensions.get(Oid.keyUsage);
  if (keyUsage) {
    const bits = content(keyUsage.value, readWhole(keyUsage.value, Tag.bitString));
    keyUsageBits = [];
    for (let bit = 0; bit < (bits.length - 1) * 8; bit++) {
      if (bits[1 + (bit >> 3)]! & (0x80 >> (bit & 7))) keyUsageBits.push(bit);
    }
  }
  const ski = certificate.extensions.get(Oid.subjectKeyIdentifier);
  const subjectKeyIdentifier = ski
    ? Buffer.from(content(ski.value, readWhole(ski.value, Tag.octetString)))
    : undefined;
  return { certificate, isCa, keyUsageBits, subjectKeyIdentifier };
}

function toDer(certificate: Buffer | string): Buffer | undefined {
  if (typeof certificate !== "string") return certificate;
  return fromPem(certificate, "CERTIFICATE");
}

/**
 * Reads a CA certificate (DER, or PEM text) into the {@link CaIdentity} that issuance, CRLs and
 * OCSP use. It must be an X.509 v3 CA certificate (basicConstraints cA TRUE) whose keyUsage
 * allows keyCertSign and cRLSign, with a key Tessera signs with.
 *
 * @throws TesseraError `ca.certificate_invalid`, `ca.not_a_ca` or `ca.key_unsupported`.
 */
export function parseCaCertificate(certificate: Buffer | string): CaIdentity {
  const result = inspectCaCertificate(certificate);
  if (!result.valid) throw new TesseraError(result.code, result.reason);
  return result.ca;
}

type Inspection =
  | { valid: true; ca: CaIdentity; facts: CaFacts }
  | { valid: false; code: ErrorCode; reason: string };

function inspectCaCertificate(certificate: Buffer | string): Inspection {
  const der = toDer(certificate);
  if (!der)
    return { valid: false, code: "ca.certificate_invalid", reason: "No CERTIFICATE PEM block was found." };
  let facts: CaFacts;
  try {
    facts = readCaFacts(readCertificate(der));
  } catch (error) {
    if (!isDerError(error)) throw error;
    return {
      valid: false,
      code: "ca.certificate_invalid",
      reason: `The certificate is not valid DER: ${error.message}.`,
    };
  }
  const read = facts.certificate;
  if (read.version !== 3 || !facts.isCa) {
    return {
      valid: false,
      code: "ca.not_a_ca",
      reason: "The certificate is not a CA certificate (basicConstraints cA).",
    };
  }
  // RFC 5280 §4.2.1.3: a key that signs certificates and CRLs needs keyCertSign and cRLSign.
  const usages = facts.keyUsageBits;
  if (!usages?.includes(KeyUsageBit.keyCertSign) || !usages.includes(KeyUsageBit.cRLSign)) {
    return {
      valid: false,
      code: "ca.not_a_ca",
      reason: "The CA certificate's keyUsage must allow keyCertSign and cRLSign.",
    };
  }
  let publicKey: ReturnType<typeof readSubjectPublicKey>;
  try {
    publicKey = readSubjectPublicKey(read.subjectPublicKeyInfo);
  } catch {
    return {
      valid: false,
      code: "ca.certificate_invalid",
      reason: "The CA certificate's public key cannot be read.",
    };
  }
  if (!publicKey.keyAlgorithm) {
    return {
      valid: false,
      code: "ca.key_unsupported",
      reason: "The CA key is not ECDSA P-256/P-384 or RSA-2048/3072/4096.",
    };
  }
  const hashes = (data: Buffer): CertIdHashes => ({
    sha1: createHash("sha1").update(data).digest(),
    sha256: createHash("sha256").update(data).digest(),
  });
  const ca: CaIdentity = Object.freeze({
    certificateDer: read.der,
    subjectDer: read.subject,
    // RFC 5280 §4.2.1.2: conforming CA certificates carry an SKI; without one, derive it as we would.
    subjectKeyIdentifier: facts.subjectKeyIdentifier ?? keyIdentifier(publicKey.bits),
    publicKey: publicKey.spki,
    keyAlgorithm: publicKey.keyAlgorithm,
    serialHex: serialToHex(read.serial),
    notBefore: read.notBefore,
    notAfter: read.notAfter,
    issuerNameHash: hashes(read.subject),
    issuerKeyHash: hashes(publicKey.bits),
  });
  return { valid: true, ca, facts };
}

const verifyHashes = new Map<string, string>([
  [Oid.ecdsaWithSha256, "sha256"],
  [Oid.ecdsaWithSha384, "sha384"],
  [Oid.ecdsaWithSha512, "sha512"],
  [Oid.sha256WithRsa, "sha256"],
  [Oid.sha384WithRsa, "sha384"],
  [Oid.sha512WithRsa, "sha512"],
]);

/** The outcome of {@link checkCaCertificate}: the CA, or why it cannot be used. */
export type CaCertificateCheck =
  | { readonly valid: true; readonly ca: CaIdentity }
  | { readonly valid: false; readonly code: ErrorCode; readonly reason: string };

/**
 * Checks a CA certificate offered for import (`tessera ca import --cert --key`): that it is a CA
 * certificate Tessera can use ({@link parseCaCertificate}), that it belongs to `privateKey`,
 * that it is valid at `now`, and, when it is self-signed, that its signature verifies. A
 * subordinate CA's chain is not checked here: its issuer is not at hand.
 */
export function checkCaCertificate(params: {
  certificate: Buffer | string;
  privateKey: KeyObject;
  now: Date;
}): CaCertificateCheck {
  const inspection = inspectCaCertificate(params.certificate);
  if (!inspection.valid) return inspection;
  const { ca, facts } = inspection;
  let privateSpki: Buffer;
  try {
    privateSpki = spkiOf(params.privateKey);
  } catch (error) {
    return {
      valid: false,
      code: "ca.key_unsupported",
      reason: `The private key cannot be used: ${(error as Error).message}.`,
    };
  }
  if (params.privateKey.type !== "private") {
    return { valid: false, code: "ca.key_unsupported", reason: "The key given is not a private key." };
  }
  if (!privateSpki.equals(ca.publicKey)) {
    return {
      valid: false,
      code: "ca.key_mismatch",
      reason: "The CA certificate's public key is not the private key's.",
    };
  }
  if (params.now < ca.notBefore) {
    return {
      valid: false,
      code: "ca.expired",
      reason: `The CA certificate is not valid before ${ca.notBefore.toISOString()}.`,
    };
  }
  if (params.now >= ca.notAfter) {
    return {
      valid: false,
      code: "ca.expired",
      reason: `The CA certificate expired at ${ca.notAfter.toISOString()}.`,
    };
  }
  const read = facts.certificate;
  if (read.issuer.equals(read.subject)) {
    const hash = verifyHashes.get(read.signatureAlgorithm);
    if (!hash) {
      return {
        valid: false,
        code: "ca.key_unsupported",
        reason: `The CA certificate's signature algorithm ${read.signatureAlgorithm} is not supported.`,
      };
    }
    const key = createPublicKey({ key: ca.publicKey, format: "der", type: "spki" });
    let verified: boolean;
    try {
      verified = verify(hash, read.tbs, { key, dsaEncoding: "der" }, read.signature);
    } catch {
      verified = false; // a signature that does not even decode
    }
    if (!verified) {
      return {
        valid: false,
        code: "ca.certificate_invalid",
        reason: "The self-signed CA certificate's signature is wrong.",
      };
    }
  }
  return { valid: true, ca };
}

const signerKeys = new WeakMap<Signer, Buffer>();

/**
 * Throws unless `signer` holds the key of `ca`'s certificate, so a misconfigured signer cannot
 * produce certificates, CRLs or responses that no one can verify.
 *
 * @throws TesseraError `ca.key_mismatch`.
 */
export function assertSignerMatches(signer: Signer, publicKey: Buffer, what = "the CA certificate"): void {
  let normalized = signerKeys.get(signer);
  if (!normalized) {
    normalized = readSubjectPublicKey(signer.publicKey).spki;
    signerKeys.set(signer, normalized);
  }
  if (!normalized.equals(publicKey))
    throw new TesseraError("ca.key_mismatch", `The signer's key is not the key of ${what}.`);
}
