import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  KeyObject,
  pbkdf2,
  randomBytes,
  sign,
  webcrypto,
} from "node:crypto";
import { promisify } from "node:util";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import {
  children,
  content,
  derNull,
  expectTag,
  isDerError,
  octetString,
  oid,
  readWhole,
  sequence,
  smallInteger,
  Tag,
  tlv,
} from "./der.js";
import { Oid } from "./oids.js";
import { fromPem, toPem } from "./pem.js";

const pbkdf2Async = promisify(pbkdf2);
const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * The algorithm of a key that signs: any card key's, and RSA-4096, which only a CA (and the OCSP
 * responder that follows its key type) has. Card templates keep to {@link KeyAlgorithm}.
 */
export type SigningKeyAlgorithm = KeyAlgorithm | "RSA-4096";

/**
 * What signs for the CA: a private key in memory today, a PKCS#11 token later. The CA logic
 * depends only on this interface.
 */
export interface Signer {
  /** The algorithm of the signing key; it decides the signature algorithm (see {@link signatureAlgorithmFor}). */
  readonly keyAlgorithm: SigningKeyAlgorithm;
  /** The public key as a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
  readonly publicKey: Buffer;
  /**
   * Signs `data` (hashing it first) and returns the signature as X.509 carries it in its BIT
   * STRING: ECDSA as DER `SEQUENCE { r, s }` (RFC 5480 §2.2 / RFC 3279 §2.2.3), RSA as PKCS#1 v1.5.
   */
  sign(data: Uint8Array): Promise<Buffer>;
}

/** A signature algorithm: its name, the hash it signs with and its DER AlgorithmIdentifier. */
export interface SignatureAlgorithm {
  readonly name: "ecdsa-with-SHA256" | "ecdsa-with-SHA384" | "sha256WithRSAEncryption";
  readonly hash: "sha256" | "sha384";
  /** DER `AlgorithmIdentifier`, as written in a certificate's `signature` and `signatureAlgorithm`. */
  readonly identifier: Buffer;
}

// RFC 5758 §3.2: ECDSA AlgorithmIdentifiers have absent parameters.
const ecdsaWithSha256: SignatureAlgorithm = Object.freeze({
  name: "ecdsa-with-SHA256",
  hash: "sha256",
  identifier: sequence(oid(Oid.ecdsaWithSha256)),
});
const ecdsaWithSha384: SignatureAlgorithm = Object.freeze({
  name: "ecdsa-with-SHA384",
  hash: "sha384",
  identifier: sequence(oid(Oid.ecdsaWithSha384)),
});
// RFC 4055 §5: the RSA PKCS#1 v1.5 identifiers carry NULL parameters.
const sha256WithRsa: SignatureAlgorithm = Object.freeze({
  name: "sha256WithRSAEncryption",
  hash: "sha256",
  identifier: sequence(oid(Oid.sha256WithRsa), derNull),
});

/**
 * The signature algorithm a key of `keyAlgorithm` signs with: SHA-384 for P-384, SHA-256
 * otherwise. Every RSA key, RSA-4096 included, signs sha256WithRSAEncryption: the relying parties
 * an RSA CA is chosen for (Heimdal, older appliances) and PKCS#11 tokens (CKM_SHA256_RSA_PKCS)
 * all have it, and one RSA algorithm keeps a CA's certificates, CRLs and OCSP answers alike.
 */
export function signatureAlgorithmFor(keyAlgorithm: SigningKeyAlgorithm): SignatureAlgorithm {
  switch (keyAlgorithm) {
    case "P-256":
      return ecdsaWithSha256;
    case "P-384":
      return ecdsaWithSha384;
    case "RSA-2048":
    case "RSA-3072":
    case "RSA-4096":
      return sha256WithRsa;
  }
}

/** The Tessera key algorithm of a public or private key, or undefined when Tessera does not use it. */
export function keyAlgorithmOf(key: KeyObject): SigningKeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === "ec") {
    if (details?.namedCurve === "prime256v1") return "P-256";
    if (details?.namedCurve === "secp384r1") return "P-384";
  } else if (key.asymmetricKeyType === "rsa") {
    if (details?.modulusLength === 2048) return "RSA-2048";
    if (details?.modulusLength === 3072) return "RSA-3072";
    if (details?.modulusLength === 4096) return "RSA-4096";
  }
  return undefined;
}

/** The DER SubjectPublicKeyInfo of a key (a private key gives its public half). */
export function spkiOf(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return publicKey.export({ type: "spki", format: "der" });
}

/**
 * A {@link Signer} over a private key held in memory. Signing runs on libuv's thread pool, so
 * it does not block the event loop and several signatures proceed at once on several cores.
 */
export function createKeySigner(privateKey: KeyObject): Signer {
  if (privateKey.type !== "private")
    throw new TesseraError("ca.key_unsupported", "The signer needs a private key.");
  const keyAlgorithm = keyAlgorithmOf(privateKey);
  if (!keyAlgorithm) throw new TesseraError("ca.key_unsupported");
  const { hash } = signatureAlgorithmFor(keyAlgorithm);
  const key = { key: privateKey, dsaEncoding: "der" as const };
  return Object.freeze({
    keyAlgorithm,
    publicKey: spkiOf(privateKey),
    sign: (data: Uint8Array) =>
      new Promise<Buffer>((resolve, reject) => {
        sign(hash, data, key, (error, signature) => (error ? reject(error) : resolve(signature)));
      }),
  });
}

/**
 * The private key as a WebCrypto key made with `extractable: false`, for the production worker
 * threads: structured clone carries it to a thread (`workerData`, `postMessage`), where it signs
 * and `subtle.exportKey` refuses it. The key's bytes are not handed over as a buffer, but this is
 * not isolation: in Node 20 `KeyObject.from(key).export()` still returns them, in any thread. A CA
 * key that must not be in a worker's memory at all belongs in a token (PKCS#11, issue 10).
 */
export async function toNonExtractableKey(privateKey: KeyObject): Promise<webcrypto.CryptoKey> {
  const keyAlgorithm = keyAlgorithmOf(privateKey);
  if (privateKey.type !== "private" || !keyAlgorithm) throw new TesseraError("ca.key_unsupported");
  const algorithm = keyAlgorithm.startsWith("RSA")
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: keyAlgorithm };
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  try {
    return await webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]);
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * A {@link Signer} over a key from {@link toNonExtractableKey} that signs synchronously on the
 * calling thread. {@link createKeySigner} signs on libuv's thread pool, which suits the main
 * thread; a production worker has nothing else to do meanwhile (it sat idle for a third of its
 * time in a profile) and the hop to the pool, which every file write of the process shares, comes
 * on top: signing in place made one worker ≈ 13 % faster.
 */
export function createThreadSigner(key: webcrypto.CryptoKey): Signer {
  let keyObject: KeyObject;
  try {
    keyObject = KeyObject.from(key);
  } catch (error) {
    throw new TesseraError(
      "ca.key_unsupported",
      `The signer needs a WebCrypto private key: ${(error as Error).message}`,
    );
  }
  if (!key.usages.includes("sign"))
    throw new TesseraError("ca.key_unsupported", "The signer needs a key allowed to sign.");
  // Only the key's public half and algorithm are read from it here.
  const { keyAlgorithm, publicKey } = createKeySigner(keyObject);
  const { hash } = signatureAlgorithmFor(keyAlgorithm);
  const signingKey = { key, dsaEncoding: "der" as const };
  return Object.freeze({
    keyAlgorithm,
    publicKey,
    sign: async (data: Uint8Array) => signWithCryptoKey(hash, data, signingKey),
  });
}

/** `crypto.sign` over a CryptoKey, which Node has taken since 15.0 but @types/node 20 leaves out. */
const signWithCryptoKey = sign as unknown as (
  algorithm: string,
  data: Uint8Array,
  key: { key: webcrypto.CryptoKey; dsaEncoding: "der" },
) => Buffer;

/**
 * Converts a raw ECDSA signature `r || s` (PKCS#11 CKM_ECDSA, WebCrypto) into the DER
 * `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` that X.509 carries (RFC 3279 §2.2.3).
 */
export function ecdsaSignatureToDer(raw: Uint8Array): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0)
    throw new RangeError("a raw ECDSA signature has two halves of equal length");
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = Buffer.from(bytes.subarray(start));
    return tlv(Tag.integer, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
  };
  return sequence(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
}

/** A fresh CA key: ECDSA P-384. */
export function generateCaKey(): KeyObject {
  return generateEcPrivateKey("P-384");
}

/**
 * A fresh key of `keyAlgorithm` for the CA or its OCSP responder. RSA keys are generated off the
 * event loop (an RSA-4096 key takes seconds) and, as {@link generateEcPrivateKey} explains,
 * read back from their encoding.
 */
export async function generateSigningKey(keyAlgorithm: SigningKeyAlgorithm): Promise<KeyObject> {
  if (keyAlgorithm === "P-256" || keyAlgorithm === "P-384") return generateEcPrivateKey(keyAlgorithm);
  const modulusLength = { "RSA-2048": 2048, "RSA-3072": 3072, "RSA-4096": 4096 }[keyAlgorithm];
  const { privateKey } = await generateKeyPairAsync("rsa", {
    modulusLength,
    privateKeyEncoding: { type: "pkcs8", format: "der" },
    publicKeyEncoding: { type: "spki", format: "der" },
  });
  return createPrivateKey({ key: privateKey, format: "der", type: "pkcs8" });
}

/**
 * An EC private key as a KeyObject that owes nothing to the key-generation job. On Node 20,
 * exporting or signing with the KeyObject `generateKeyPairSync` returns can deadlock when the
 * garbage collector cleans up that job meanwhile (seen under gdb in the production workers);
 * having the generator encode the key and reading it back avoids the shared state.
 */
export function generateEcPrivateKey(namedCurve: "P-256" | "P-384"): KeyObject {
  const { privateKey } = generateKeyPairSync("ec", {
    namedCurve,
    privateKeyEncoding: { type: "pkcs8", format: "der" },
    publicKeyEncoding: { type: "spki", format: "der" },
  });
  return createPrivateKey({ key: privateKey, format: "der", type: "pkcs8" });
}

/**
 * PBKDF2-HMAC-SHA256 iterations for {@link encryptPrivateKey}: OWASP's 2023 figure for this PRF.
 * OpenSSL's own default (2048) is far too low for a key that protects a CA.
 */
export const defaultKeyEncryptionIterations = 600_000;

/**
 * Encrypts a private key as PKCS#8 `ENCRYPTED PRIVATE KEY` PEM: PBES2 with PBKDF2-HMAC-SHA256
 * (16-byte salt) and AES-256-CBC (RFC 8018 §6.2, §A.2), readable by OpenSSL and GnuTLS.
 */
export async function encryptPrivateKey(
  key: KeyObject,
  passphrase: string,
  options: { iterations?: number } = {},
): Promise<string> {
  const iterations = options.iterations ?? defaultKeyEncryptionIterations;
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new RangeError("iterations must be a positive integer");
  if (passphrase.length === 0) throw new RangeError("the passphrase must not be empty");
  const plain = key.export({ type: "pkcs8", format: "der" });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const derivedKey = await pbkdf2Async(Buffer.from(passphrase, "utf8"), salt, iterations, 32, "sha256");
  const cipher = createCipheriv("aes-256-cbc", derivedKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const der = sequence(
    sequence(
      oid(Oid.pbes2),
      sequence(
        sequence(
          oid(Oid.pbkdf2),
          sequence(
            octetString(salt),
            smallInteger(iterations),
            smallInteger(32),
            sequence(oid(Oid.hmacWithSha256), derNull),
          ),
        ),
        sequence(oid(Oid.aes256Cbc), octetString(iv)),
      ),
    ),
    octetString(encrypted),
  );
  return toPem(der, "ENCRYPTED PRIVATE KEY");
}

/**
 * Decrypts an `ENCRYPTED PRIVATE KEY` PEM. Keys made by {@link encryptPrivateKey} are derived
 * off the event loop; other PBES2 schemes are left to OpenSSL.
 *
 * @throws TesseraError `ca.key_decrypt_failed` on a wrong passphrase or a damaged file.
 */
export async function decryptPrivateKey(pem: string, passphrase: string): Promise<KeyObject> {
  const der = fromPem(pem, "ENCRYPTED PRIVATE KEY");
  if (!der) throw new TesseraError("ca.key_decrypt_failed", "The file holds no ENCRYPTED PRIVATE KEY block.");
  const scheme = readTesseraScheme(der);
  try {
    if (!scheme) return createPrivateKey({ key: pem, format: "pem", passphrase });
    const derivedKey = await pbkdf2Async(
      Buffer.from(passphrase, "utf8"),
      scheme.salt,
      scheme.iterations,
      32,
      "sha256",
    );
    const decipher = createDecipheriv("aes-256-cbc", derivedKey, scheme.iv);
    const plain = Buffer.concat([decipher.update(scheme.encrypted), decipher.final()]);
    return createPrivateKey({ key: plain, format: "der", type: "pkcs8" });
  } catch (error) {
    throw new TesseraError("ca.key_decrypt_failed", undefined, { cause: (error as Error).message });
  }
}

/** The parameters of a PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC key, or undefined for any other scheme. */
function readTesseraScheme(
  der: Buffer,
): { salt: Buffer; iterations: number; iv: Buffer; encrypted: Buffer } | undefined {
  try {
    const [algorithm, data] = children(der, readWhole(der, Tag.sequence));
    const [schemeOid, params] = children(der, expectTag(algorithm, Tag.sequence, "encryptionAlgorithm"));
    if (!content(der, expectTag(schemeOid, Tag.oid, "scheme")).equals(oid(Oid.pbes2).subarray(2)))
      return undefined;
    const [kdf, encryption] = children(der, expectTag(params, Tag.sequence, "PBES2-params"));
    const [kdfOid, kdfParams] = children(der, expectTag(kdf, Tag.sequence, "kdf"));
    if (!content(der, expectTag(kdfOid, Tag.oid, "kdf")).equals(oid(Oid.pbkdf2).subarray(2)))
      return undefined;
    const [salt, iterations, keyLength, prf] = children(
      der,
      expectTag(kdfParams, Tag.sequence, "PBKDF2-params"),
    );
    if (!prf || keyLength?.tag !== Tag.integer) return undefined;
    const [prfOid] = children(der, expectTag(prf, Tag.sequence, "prf"));
    if (!content(der, expectTag(prfOid, Tag.oid, "prf")).equals(oid(Oid.hmacWithSha256).subarray(2)))
      return undefined;
    const [cipherOid, iv] = children(der, expectTag(encryption, Tag.sequence, "encryptionScheme"));
    if (!content(der, expectTag(cipherOid, Tag.oid, "cipher")).equals(oid(Oid.aes256Cbc).subarray(2)))
      return undefined;
    const iterationBytes = content(der, expectTag(iterations, Tag.integer, "iterationCount"));
    if (iterationBytes.length > 4) return undefined;
    return {
      salt: content(der, expectTag(salt, Tag.octetString, "salt")),
      iterations: iterationBytes.readUIntBE(0, iterationBytes.length),
      iv: content(der, expectTag(iv, Tag.octetString, "iv")),
      encrypted: content(der, expectTag(data, Tag.octetString, "encryptedData")),
    };
  } catch (error) {
    if (isDerError(error)) return undefined;
    throw error;
  }
}
