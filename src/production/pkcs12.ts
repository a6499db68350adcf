import { createCipheriv, createHmac, hash, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import type { Pkcs12Format } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import {
  children,
  content as contentOf,
  contextPrimitive,
  type DerNode,
  type DerPart,
  derError,
  derNull,
  encodeNode,
  oid as encodeOid,
  expectTag,
  explicitNode,
  isDerError,
  node,
  octetString,
  octetStringNode,
  raw,
  readElement,
  readSmallInteger,
  readWhole,
  sequence,
  sequenceNode,
  Tag,
} from "../pki/der.js";
import { publicRandomBytes } from "../pki/public-random.js";
import { bmpString, integer, setOf } from "./der.js";
import { keyMatchesCertificate } from "./key-certificate-match.js";
import {
  derivePkcs12Key,
  encryptPbeSha1TripleDes,
  KeyPurpose,
  legacySaltBytes,
  type Pkcs12Digest,
  sha1Digest,
  sha256Digest,
} from "./pkcs12-legacy.js";

/**
 * PKCS#12 (RFC 7292) files for the software token: one per card, protected by the card's PIN.
 *
 * In the `modern` format (the default) the layout is what OpenSSL 3 writes by default with
 * `openssl pkcs12 -export`, so OpenSSL, GnuTLS, NSS and Java ≥ 8u301 read it:
 * - AuthenticatedSafe = [ EncryptedData(certificate bags), Data(shrouded key bags) ]: the
 *   certificates are encrypted too (OpenSSL 3's default `-certpbe AES-256-CBC`);
 * - every encryption is PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC;
 * - each entry's key bag and certificate bag carry the same localKeyId and friendlyName
 *   (RFC 7292 §4.2, PKCS#9), which is how readers pair a key with its certificate;
 * - integrity is the classic password MAC, HMAC-SHA256 keyed by RFC 7292 Appendix B: PBMAC1
 *   (RFC 9579) is newer than the OpenSSL 3.0 and GnuTLS 3.7 that Debian 12 ships, so they cannot
 *   read it.
 *
 * The `legacy` format keeps the layout and swaps the algorithms for RFC 7292's own
 * (pbeWithSHAAnd3-KeyTripleDES-CBC, an HMAC-SHA1 MAC: see `pkcs12-legacy.ts`), for readers that
 * predate PBES2.
 *
 * A 6-digit PIN is 10^6 guesses: no iteration count protects a stolen software token. Software
 * tokens are for virtual cards and demos; PKCS#11 cards are the real thing.
 */

/** One key with its certificate; both DER. */
export interface Pkcs12Entry {
  /** The private key as DER PrivateKeyInfo (PKCS#8, RFC 5208), unencrypted. */
  readonly privateKeyPkcs8: Buffer;
  /** The key's certificate, DER. */
  readonly certificate: Buffer;
  /** The label tools show for this key and certificate, e.g. the certificate profile name. */
  readonly friendlyName: string;
}

export interface BuildPkcs12Options {
  readonly entries: readonly Pkcs12Entry[];
  /** Certificates of the issuing chain, DER, stored without attributes. */
  readonly caCertificates?: readonly Buffer[];
  /** The card's PIN. */
  readonly password: string;
  /** Key derivation and MAC iterations; 2048 is OpenSSL 3's default, for both formats. */
  readonly iterations?: number;
  /** `modern` (PBES2/AES-256, HMAC-SHA256; the default) or `legacy` (3DES, HMAC-SHA1). */
  readonly format?: Pkcs12Format;
}

const oid = {
  data: encodeOid("1.2.840.113549.1.7.1"),
  encryptedData: encodeOid("1.2.840.113549.1.7.6"),
  pkcs8ShroudedKeyBag: encodeOid("1.2.840.113549.1.12.10.1.2"),
  certBag: encodeOid("1.2.840.113549.1.12.10.1.3"),
  x509Certificate: encodeOid("1.2.840.113549.1.9.22.1"),
  friendlyName: encodeOid("1.2.840.113549.1.9.20"),
  localKeyId: encodeOid("1.2.840.113549.1.9.21"),
  pbes2: encodeOid("1.2.840.113549.1.5.13"),
  pbkdf2: encodeOid("1.2.840.113549.1.5.12"),
  hmacWithSha256: encodeOid("1.2.840.113549.2.9"),
  aes256Cbc: encodeOid("2.16.840.1.101.3.4.1.42"),
  sha256: encodeOid("2.16.840.1.101.3.4.2.1"),
  sha1: encodeOid("1.3.14.3.2.26"),
};

// The PRF AlgorithmIdentifier with NULL parameters, as OpenSSL writes it (RFC 8018 §A.2).
const hmacWithSha256Algorithm = sequence(oid.hmacWithSha256, derNull);

/** Digests the RFC 7292 MAC may use, keyed by the DER of their OID; u and v as in Appendix B.2. */
const macDigests = new Map<string, Pkcs12Digest>([
  [oid.sha1.toString("hex"), sha1Digest],
  [oid.sha256.toString("hex"), sha256Digest],
  [encodeOid("2.16.840.1.101.3.4.2.2").toString("hex"), { name: "sha384", u: 48, v: 128 }],
  [encodeOid("2.16.840.1.101.3.4.2.3").toString("hex"), { name: "sha512", u: 64, v: 128 }],
]);

const saltBytes = 16;
const ivBytes = 16;
const maxIterations = 10_000_000;

/**
 * Builds a PKCS#12 file (PFX, RFC 7292) holding each entry's private key and certificate and
 * the CA certificates, protected by `password`. Throws a {@link TesseraError}
 * (`production.pkcs12_options_invalid`, `production.pkcs12_entry_invalid`) when an input is
 * unusable, including a key that does not belong to its certificate.
 *
 * Cost, modern: one PBKDF2 and one MAC key derivation of `iterations` each (≈ 0.3 ms + 0.6 ms
 * at 2048 here) plus well under a millisecond of encoding. Legacy: three SHA-1 chains of
 * `iterations` per encryption (key and IV, one salt each) and one for the MAC.
 */
export function buildPkcs12(options: BuildPkcs12Options): Buffer {
  const { entries, caCertificates = [], password } = options;
  const iterations = options.iterations ?? 2048;
  const format = options.format ?? "modern";
  checkOptions(entries, caCertificates, password, iterations, format);
  for (let index = 0; index < entries.length; index++) checkEntry(entries[index]!, index);
  for (let index = 0; index < caCertificates.length; index++)
    checkSingleElement(caCertificates[index]!, `caCertificates[${index}]`);
  const protection =
    format === "legacy"
      ? new LegacyProtection(password, iterations)
      : new ModernProtection(password, iterations);

  // Loops, not closures made per call: see `produce-chunk.ts`.
  // The structures are DER nodes (see `DerNode`) written out once each: the SafeContents to
  // encrypt, the AuthenticatedSafe to MAC, the PFX to hand over.
  const attributesOf: Buffer[] = [];
  const certificateBags: DerNode[] = [];
  const keyBags: DerNode[] = [];
  for (const entry of entries) {
    const attributes = bagAttributes(entry);
    attributesOf.push(attributes);
    certificateBags.push(certificateBag(entry.certificate, attributes));
  }
  for (const certificate of caCertificates) certificateBags.push(certificateBag(certificate));
  const certificates = protection.encrypt(encodeNode(sequenceNode(...certificateBags)));
  const encryptedCertificates = sequenceNode(
    oid.encryptedData,
    explicitNode(
      0,
      sequenceNode(
        integer(0),
        sequenceNode(oid.data, certificates.algorithm, node(contextPrimitive(0), ...certificates.ciphertext)),
      ),
    ),
  );

  for (let i = 0; i < entries.length; i++) {
    const key = protection.encrypt(entries[i]!.privateKeyPkcs8);
    const encryptedPrivateKeyInfo = sequenceNode(key.algorithm, node(Tag.octetString, ...key.ciphertext));
    keyBags.push(
      sequenceNode(oid.pkcs8ShroudedKeyBag, explicitNode(0, encryptedPrivateKeyInfo), attributesOf[i]!),
    );
  }
  const keys = sequenceNode(oid.data, explicitNode(0, octetStringNode(sequenceNode(...keyBags))));

  const authenticatedSafe = encodeNode(sequenceNode(encryptedCertificates, keys));
  const { digest, digestOid, salt: macSalt } = protection.mac;
  const macKey = derivePkcs12Key(digest, KeyPurpose.macKey, password, macSalt, iterations, digest.u);
  const mac = createHmac(digest.name, macKey).update(authenticatedSafe).digest();

  return sequence(
    integer(3),
    sequenceNode(oid.data, explicitNode(0, octetStringNode(authenticatedSafe))),
    sequenceNode(
      sequenceNode(sequenceNode(digestOid, derNull), octetStringNode(mac)),
      octetStringNode(macSalt),
      integer(iterations),
    ),
  );
}

/** An entry's bag attributes: its friendlyName and its localKeyId. */
function bagAttributes(entry: Pkcs12Entry): Buffer {
  return setOf(
    friendlyNameAttribute(entry.friendlyName),
    // The SHA-1 of the certificate is OpenSSL's localKeyId; it only pairs bags, it protects nothing.
    sequence(oid.localKeyId, setOf(octetString(hash("sha1", entry.certificate, "buffer")))),
  );
}

function certificateBag(certificate: Buffer, attributes?: Buffer): DerNode {
  const bag = explicitNode(
    0,
    sequenceNode(oid.x509Certificate, explicitNode(0, octetStringNode(certificate))),
  );
  return attributes ? sequenceNode(oid.certBag, bag, attributes) : sequenceNode(oid.certBag, bag);
}

const friendlyNames = new Map<string, Buffer>();

/** The friendlyName attribute of a bag: a handful of names (the profiles') recur on every card. */
function friendlyNameAttribute(name: string): Buffer {
  let attribute = friendlyNames.get(name);
  if (!attribute) {
    attribute = sequence(oid.friendlyName, setOf(bmpString(name)));
    if (friendlyNames.size >= 256) friendlyNames.clear();
    friendlyNames.set(name, attribute);
  }
  return attribute;
}

/** How one format encrypts its bags and keys its MAC. */
interface Pkcs12Protection {
  /**
   * Encrypts a SafeContents or a PrivateKeyInfo; the AlgorithmIdentifier goes beside the
   * ciphertext, which comes in pieces (the cipher's update and final) written one after the other.
   */
  encrypt(plaintext: Buffer): { algorithm: DerPart; ciphertext: readonly Buffer[] };
  readonly mac: { readonly digest: Pkcs12Digest; readonly digestOid: Buffer; readonly salt: Buffer };
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC; an HMAC-SHA256 MAC. */
class ModernProtection implements Pkcs12Protection {
  readonly mac = { digest: sha256Digest, digestOid: oid.sha256, salt: publicRandomBytes(saltBytes) };
  readonly #key: Buffer;
  readonly #keyDerivation: Buffer;

  constructor(password: string, iterations: number) {
    const encryptionSalt = publicRandomBytes(saltBytes);
    // One PBKDF2 per file, not one per bag: every bag is encrypted under the same password, so
    // per-bag salts would cost a derivation each and protect nothing more (an attacker tests a
    // guess against the cheapest bag, or the MAC). Each encryption still has its own random IV,
    // which is all CBC needs under a shared key. PBES2 takes the password as octets (RFC 8018
    // §6.2); OpenSSL, GnuTLS and NSS all use its UTF-8 bytes, unlike the BMPString of the MAC.
    this.#key = pbkdf2Sync(Buffer.from(password, "utf8"), encryptionSalt, iterations, 32, "sha256");
    // keyLength is left out: AES-256 fixes it, and OpenSSL omits it too (RFC 8018 §A.2).
    this.#keyDerivation = sequence(
      oid.pbkdf2,
      sequence(octetString(encryptionSalt), integer(iterations), hmacWithSha256Algorithm),
    );
  }

  encrypt(plaintext: Buffer) {
    const iv = publicRandomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-cbc", this.#key, iv);
    const algorithm = sequenceNode(
      oid.pbes2,
      sequenceNode(this.#keyDerivation, sequenceNode(oid.aes256Cbc, octetStringNode(iv))),
    );
    return { algorithm, ciphertext: [cipher.update(plaintext), cipher.final()] };
  }
}

/**
 * What `openssl pkcs12 -export -legacy -descert` writes: pbeWithSHAAnd3-KeyTripleDES-CBC for the
 * key bags and for the certificates, and an HMAC-SHA1 MAC. OpenSSL's plain `-legacy` encrypts
 * the certificates with 40-bit RC2 instead; Node's OpenSSL 3 has no RC2 without the legacy
 * provider, and 40 bits is no protection, so the certificates get 3DES as Go's `LegacyDES` does.
 */
class LegacyProtection implements Pkcs12Protection {
  readonly mac = { digest: sha1Digest, digestOid: oid.sha1, salt: publicRandomBytes(legacySaltBytes) };

  readonly #password: string;
  readonly #iterations: number;

  constructor(password: string, iterations: number) {
    this.#password = password;
    this.#iterations = iterations;
  }

  encrypt(plaintext: Buffer) {
    const { algorithm, ciphertext } = encryptPbeSha1TripleDes(plaintext, this.#password, this.#iterations);
    return { algorithm, ciphertext: [ciphertext] };
  }
}

/** The outcome of {@link verifyPkcs12Mac}: valid, or why not. */
export type Pkcs12MacCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/**
 * Checks a PKCS#12 file's password MAC (RFC 7292 §4, Appendix B) without decrypting anything:
 * whether `password` opens the file and the file is unaltered. Reads SHA-1 and SHA-2 MACs;
 * a file that is not DER PKCS#12, or has no MAC, is reported as not valid with the reason.
 */
export function verifyPkcs12Mac(der: Buffer, password: string): Pkcs12MacCheck {
  let parts: PfxMacParts;
  try {
    parts = readPfxMacParts(der);
  } catch (error) {
    if (isDerError(error)) return { valid: false, reason: `not a DER PKCS#12 file: ${error.message}` };
    throw error;
  }
  if (!parts.macData) return { valid: false, reason: "the file has no MAC" };
  const { digestOid, mac, salt, iterations } = parts.macData;
  const digest = macDigests.get(digestOid.toString("hex"));
  if (!digest) return { valid: false, reason: "the MAC uses a digest this reader does not support" };
  if (iterations < 1 || iterations > maxIterations) {
    return { valid: false, reason: `the MAC iteration count ${iterations} is out of range` };
  }
  const key = derivePkcs12Key(digest, KeyPurpose.macKey, password, salt, iterations, digest.u);
  const expected = createHmac(digest.name, key).update(parts.authenticatedSafe).digest();
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac)) {
    return { valid: false, reason: "the MAC does not match: wrong password, or the file was altered" };
  }
  return { valid: true };
}

interface PfxMacParts {
  readonly authenticatedSafe: Buffer;
  readonly macData:
    | { readonly digestOid: Buffer; readonly mac: Buffer; readonly salt: Buffer; readonly iterations: number }
    | undefined;
}

/** Walks PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL } (RFC 7292 §4). */
function readPfxMacParts(der: Buffer): PfxMacParts {
  const pfx = readWhole(der, 0x30);
  const [version, authSafe, macData] = children(der, pfx);
  if (!version || !authSafe) throw derError("the PFX is incomplete");
  if (readSmallInteger(der, version) !== 3) throw derError("the PFX version is not 3");
  if (authSafe.tag !== 0x30) throw derError("authSafe is not a ContentInfo");
  const within = (parent: typeof authSafe, offset: number, tag: number, what: string) =>
    expectTag(readElement(der, offset, parent.end), tag, what);
  const contentType = within(authSafe, authSafe.contentStart, 0x06, "authSafe contentType");
  if (!raw(der, contentType).equals(oid.data)) {
    throw derError("authSafe is not data (the public-key integrity mode is not supported)");
  }
  const wrapper = within(authSafe, contentType.end, 0xa0, "authSafe content");
  const content = within(wrapper, wrapper.contentStart, 0x04, "authSafe OCTET STRING");
  const authenticatedSafe = contentOf(der, content);
  if (!macData) return { authenticatedSafe, macData: undefined };

  if (macData.tag !== 0x30) throw derError("macData is not a SEQUENCE");
  const [digestInfo, salt, iterations] = children(der, macData);
  if (digestInfo?.tag !== 0x30 || !salt || salt.tag !== 0x04) {
    throw derError("macData is malformed");
  }
  const [algorithm, digestValue] = children(der, digestInfo);
  if (algorithm?.tag !== 0x30 || !digestValue || digestValue.tag !== 0x04) {
    throw derError("the MAC DigestInfo is malformed");
  }
  const digestOid = within(algorithm, algorithm.contentStart, 0x06, "the MAC digest algorithm");
  return {
    authenticatedSafe,
    macData: {
      digestOid: raw(der, digestOid),
      mac: contentOf(der, digestValue),
      salt: contentOf(der, salt),
      // iterations INTEGER DEFAULT 1 (RFC 7292 §4)
      iterations: iterations ? readSmallInteger(der, iterations) : 1,
    },
  };
}

function checkOptions(
  entries: readonly Pkcs12Entry[],
  caCertificates: readonly Buffer[],
  password: string,
  iterations: number,
  format: Pkcs12Format,
): void {
  const invalid = (reason: string) => new TesseraError("production.pkcs12_options_invalid", reason);
  if (format !== "modern" && format !== "legacy") throw invalid('The format must be "modern" or "legacy".');
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 32) {
    throw invalid("A PKCS#12 file needs from 1 to 32 entries.");
  }
  if (!Array.isArray(caCertificates)) throw invalid("caCertificates must be an array of DER certificates.");
  // OpenSSL reads an empty password as "no password" and tries two encodings; a PIN is never empty.
  if (typeof password !== "string" || password.length === 0) throw invalid("The password must not be empty.");
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > maxIterations) {
    throw invalid(`The iteration count must be an integer from 1 to ${maxIterations}.`);
  }
}

/** Checks that the key and certificate are DER and belong together. */
function checkEntry(entry: Pkcs12Entry, index: number): void {
  const invalid = (reason: string, cause?: unknown) =>
    new TesseraError("production.pkcs12_entry_invalid", `Entry ${index}: ${reason}`, { index }, { cause });
  if (typeof entry.friendlyName !== "string") throw invalid("friendlyName must be a string.");
  if (!Buffer.isBuffer(entry.privateKeyPkcs8)) throw invalid("privateKeyPkcs8 must be a DER buffer.");
  checkSingleElement(entry.certificate, `entries[${index}].certificate`);
  let matches: boolean;
  try {
    matches = keyMatchesCertificate(entry.privateKeyPkcs8, entry.certificate);
  } catch (error) {
    throw invalid("the private key (DER PKCS#8) or the certificate (DER X.509) cannot be read.", error);
  }
  if (!matches) throw invalid("the private key does not belong to the certificate.");
}

function checkSingleElement(bytes: Buffer, what: string): void {
  try {
    if (!Buffer.isBuffer(bytes)) throw derError("not a buffer");
    readWhole(bytes, 0x30);
  } catch (error) {
    throw new TesseraError(
      "production.pkcs12_entry_invalid",
      `${what} is not a DER certificate.`,
      { what },
      { cause: error },
    );
  }
}
