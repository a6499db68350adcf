import { createPrivateKey, X509Certificate } from "node:crypto";
import {
  children,
  content,
  type DerElement,
  derError,
  expectTag,
  isDerError,
  oid,
  raw,
  readElement,
  readWhole,
} from "../pki/der.js";

/**
 * Whether a PKCS#8 private key belongs to a certificate.
 *
 * Node's `createPrivateKey` costs ≈ 0.3 ms and `new X509Certificate` ≈ 0.1 ms here (OpenSSL 3's
 * decoder lookup), as much as the rest of a PKCS#12 file. For the keys Tessera makes (RSA, and EC
 * whose ECPrivateKey carries its public key, as OpenSSL and Node write it) the public key can be
 * compared straight from the DER in microseconds; anything else falls back to Node's check.
 */
export function keyMatchesCertificate(privateKeyPkcs8: Buffer, certificate: Buffer): boolean {
  let fromKey: PublicKeyBytes | undefined;
  let fromCertificate: PublicKeyBytes | undefined;
  try {
    fromKey = publicKeyOfPkcs8(privateKeyPkcs8);
    fromCertificate = publicKeyOfCertificate(certificate);
  } catch (error) {
    // Not the shapes the fast path knows: let OpenSSL parse them and say what is wrong.
    if (!isDerError(error)) throw error;
  }
  if (fromKey && fromCertificate) {
    return fromKey.algorithm === fromCertificate.algorithm && fromKey.key.equals(fromCertificate.key);
  }
  const key = createPrivateKey({ key: privateKeyPkcs8, format: "der", type: "pkcs8" });
  return new X509Certificate(certificate).checkPrivateKey(key);
}

interface PublicKeyBytes {
  readonly algorithm: "rsa" | "ec";
  /** The RSA modulus, or the EC point. */
  readonly key: Buffer;
}

const rsaEncryption = oid("1.2.840.113549.1.1.1");
const ecPublicKey = oid("1.2.840.10045.2.1");

function algorithmOf(bytes: Buffer, algorithmIdentifier: DerElement): "rsa" | "ec" | undefined {
  const algorithm = expectTag(
    readElement(bytes, algorithmIdentifier.contentStart, algorithmIdentifier.end),
    0x06,
    "algorithm",
  );
  const encoded = raw(bytes, algorithm);
  if (encoded.equals(rsaEncryption)) return "rsa";
  if (encoded.equals(ecPublicKey)) return "ec";
  return undefined;
}

/** PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING, … } (RFC 5208 §5). */
function publicKeyOfPkcs8(der: Buffer): PublicKeyBytes | undefined {
  const info = readWhole(der, 0x30);
  const [, algorithmIdentifier, privateKey] = children(der, info);
  if (algorithmIdentifier?.tag !== 0x30 || !privateKey || privateKey.tag !== 0x04) {
    throw derError("not a PrivateKeyInfo");
  }
  const algorithm = algorithmOf(der, algorithmIdentifier);
  if (!algorithm) return undefined;
  const inner = expectTag(readElement(der, privateKey.contentStart, privateKey.end), 0x30, "private key");
  const fields = children(der, inner);
  if (algorithm === "rsa") {
    // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, … } (RFC 8017 §A.1.2)
    const modulus = fields[1];
    if (modulus?.tag !== 0x02) throw derError("RSAPrivateKey without a modulus");
    return { algorithm, key: content(der, modulus) };
  }
  // ECPrivateKey ::= SEQUENCE { version, privateKey, parameters [0] OPTIONAL, publicKey [1] OPTIONAL }
  // (RFC 5915 §3); without the public key there is nothing cheap to compare.
  const publicKey = fields.find((field) => field.tag === 0xa1);
  if (!publicKey) return undefined;
  const bits = expectTag(readElement(der, publicKey.contentStart, publicKey.end), 0x03, "EC public key");
  return { algorithm, key: bitStringBytes(der, bits) };
}

/** Certificate → TBSCertificate → subjectPublicKeyInfo (RFC 5280 §4.1). */
function publicKeyOfCertificate(der: Buffer): PublicKeyBytes | undefined {
  const certificate = readWhole(der, 0x30);
  const tbs = expectTag(readElement(der, certificate.contentStart, certificate.end), 0x30, "TBSCertificate");
  const fields = children(der, tbs);
  // version [0] EXPLICIT is absent in v1 certificates; the SPKI is the 6th field after it.
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (spki?.tag !== 0x30) throw derError("no subjectPublicKeyInfo");
  const [algorithmIdentifier, subjectPublicKey] = children(der, spki);
  if (algorithmIdentifier?.tag !== 0x30 || !subjectPublicKey || subjectPublicKey.tag !== 0x03) {
    throw derError("malformed subjectPublicKeyInfo");
  }
  const algorithm = algorithmOf(der, algorithmIdentifier);
  if (!algorithm) return undefined;
  const key = bitStringBytes(der, subjectPublicKey);
  if (algorithm === "ec") return { algorithm, key };
  // RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017 §A.1.1)
  const rsaPublicKey = expectTag(readElement(key, 0), 0x30, "RSAPublicKey");
  const [modulus] = children(key, rsaPublicKey);
  if (modulus?.tag !== 0x02) throw derError("RSAPublicKey without a modulus");
  return { algorithm, key: content(key, modulus) };
}

/** The bytes of a BIT STRING whose length is a whole number of bytes. */
function bitStringBytes(der: Buffer, bits: DerElement): Buffer {
  if (bits.end - bits.contentStart < 2 || der[bits.contentStart] !== 0)
    throw derError("unexpected BIT STRING");
  return der.subarray(bits.contentStart + 1, bits.end);
}
