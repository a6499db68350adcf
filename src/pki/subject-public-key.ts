import { createPublicKey } from "node:crypto";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import {
  bitString,
  children,
  content,
  type DerElement,
  derError,
  derNull,
  expectTag,
  isDerError,
  oid,
  readWhole,
  sequence,
  Tag,
} from "./der.js";
import { Oid } from "./oids.js";
import { keyAlgorithmOf, type SigningKeyAlgorithm } from "./signer.js";

/** A public key read from a SubjectPublicKeyInfo. */
export interface SubjectPublicKey {
  /** The canonical SubjectPublicKeyInfo: named curve and uncompressed point, or RSA with NULL parameters. */
  readonly spki: Buffer;
  /** The subjectPublicKey BIT STRING value, which key identifiers and OCSP key hashes hash. */
  readonly bits: Buffer;
  /** Undefined when Tessera does not use the algorithm or size. */
  readonly keyAlgorithm: SigningKeyAlgorithm | undefined;
}

interface Curve {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly oid: string;
  /** Field prime. */
  readonly p: bigint;
  /** Coefficient b of y² = x³ − 3x + b. */
  readonly b: bigint;
  /** Bytes per coordinate. */
  readonly size: number;
  /** DER AlgorithmIdentifier { id-ecPublicKey, namedCurve } (RFC 5480 §2.1.1). */
  readonly algorithm: Buffer;
}

// FIPS 186-4 §D.1.2.3 and §D.1.2.4 (a = −3 for both).
const curves: readonly Curve[] = (
  [
    {
      keyAlgorithm: "P-256",
      oid: "1.2.840.10045.3.1.7",
      p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
      b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
      size: 32,
    },
    {
      keyAlgorithm: "P-384",
      oid: "1.3.132.0.34",
      p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
      b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
      size: 48,
    },
  ] as const
).map((curve) => ({ ...curve, algorithm: sequence(oid(Oid.ecPublicKey), oid(curve.oid)) }));

const rsaAlgorithm = sequence(oid(Oid.rsaEncryption), derNull);

const toBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);

/**
 * Partial public-key validation (NIST SP 800-56A §5.6.2.3.4): both coordinates below p and the
 * point on the curve. The cofactor of P-256 and P-384 is 1, so that is full validation.
 */
function isOnCurve(curve: Curve, point: Buffer): boolean {
  const { p, b, size } = curve;
  const x = toBigInt(point.subarray(1, 1 + size));
  const y = toBigInt(point.subarray(1 + size));
  if (x >= p || y >= p) return false;
  const right = (((x * x) % p) * x - 3n * x + b) % p;
  return (y * y - right) % p === 0n;
}

/** base^exponent mod m by square-and-multiply. */
function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/**
 * The uncompressed form of a compressed point (SEC 1 §2.3.4), or undefined when x is not on the
 * curve. Both primes are 3 mod 4, so the square root is a single exponentiation.
 */
function decompress(curve: Curve, compressed: Buffer): Buffer | undefined {
  const { p, b, size } = curve;
  const x = toBigInt(compressed.subarray(1));
  if (x >= p) return undefined;
  const right = (((((x * x) % p) * x - 3n * x + b) % p) + p) % p;
  let y = modPow(right, (p + 1n) / 4n, p);
  if ((y * y) % p !== right) return undefined;
  if (Number(y & 1n) !== (compressed[0]! & 1)) y = p - y;
  const hex = (value: bigint) => value.toString(16).padStart(size * 2, "0");
  return Buffer.from(`04${hex(x)}${hex(y)}`, "hex");
}

/** Whether INTEGER content octets are a minimal positive integer. */
function isMinimalPositive(bytes: Buffer): boolean {
  const first = bytes[0];
  if (first === undefined || first & 0x80) return false;
  return first !== 0 || (bytes.length > 1 && (bytes[1]! & 0x80) !== 0);
}

/**
 * Reads the SubjectPublicKeyInfo forms Tessera issues for exactly, without OpenSSL: an EC key on
 * P-256/P-384 with a named curve (a compressed point is expanded), or an RSA-2048/3072 key. Returns
 * undefined for any other form, which then goes through OpenSSL.
 *
 * @throws TesseraError `certificate.public_key_invalid` for a point off its curve or a broken RSA key.
 */
function readCanonical(spki: Buffer): SubjectPublicKey | undefined {
  let algorithm: DerElement | undefined;
  let keyBits: DerElement | undefined;
  try {
    const top = readWhole(spki, Tag.sequence);
    const parts = children(spki, top);
    if (parts.length !== 2) return undefined;
    [algorithm, keyBits] = parts;
    expectTag(algorithm, Tag.sequence, "algorithm");
    expectTag(keyBits, Tag.bitString, "subjectPublicKey");
  } catch (error) {
    if (isDerError(error)) return undefined;
    throw error;
  }
  const value = content(spki, keyBits!);
  if (value[0] !== 0) return undefined;
  const bits = value.subarray(1);
  const algorithmDer = spki.subarray(algorithm!.start, algorithm!.end);
  for (const curve of curves) {
    if (!algorithmDer.equals(curve.algorithm)) continue;
    if (bits.length === 1 + curve.size && (bits[0] === 0x02 || bits[0] === 0x03)) {
      // RFC 5480 §2.2: clients need only support the uncompressed form, so certificates carry it.
      const point = decompress(curve, bits);
      if (!point)
        throw new TesseraError(
          "certificate.public_key_invalid",
          "The EC public key is not a point on its curve.",
        );
      return {
        spki: sequence(curve.algorithm, bitString(point)),
        bits: point,
        keyAlgorithm: curve.keyAlgorithm,
      };
    }
    if (bits.length !== 1 + 2 * curve.size || bits[0] !== 0x04) {
      throw new TesseraError("certificate.public_key_invalid", "The EC public key has a bad point encoding.");
    }
    if (!isOnCurve(curve, bits)) {
      throw new TesseraError(
        "certificate.public_key_invalid",
        "The EC public key is not a point on its curve.",
      );
    }
    return { spki, bits, keyAlgorithm: curve.keyAlgorithm };
  }
  if (!algorithmDer.equals(rsaAlgorithm)) return undefined;
  try {
    const [modulus, exponent, extra] = children(bits, readWhole(bits, Tag.sequence));
    const n = content(bits, expectTag(modulus, Tag.integer, "modulus"));
    const e = content(bits, expectTag(exponent, Tag.integer, "publicExponent"));
    if (extra || !isMinimalPositive(n) || !isMinimalPositive(e)) throw derError("bad RSAPublicKey");
    // RFC 8017 §3.1: n is odd (a product of odd primes); e is odd and at least 3.
    if ((n[n.length - 1]! & 1) === 0 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) {
      throw derError("bad RSA modulus or exponent");
    }
    const modulusBits = (n[0] === 0 ? n.length - 1 : n.length) * 8;
    const keyAlgorithm = modulusBits === 2048 ? "RSA-2048" : modulusBits === 3072 ? "RSA-3072" : undefined;
    // Only a full-length modulus (top bit set) has exactly this size; anything else: OpenSSL.
    if (!keyAlgorithm || n[0] !== 0 || n[1]! < 0x80) return undefined;
    return { spki, bits, keyAlgorithm };
  } catch (error) {
    if (!isDerError(error)) throw error;
    throw new TesseraError(
      "certificate.public_key_invalid",
      `The RSA public key is not valid: ${error.message}.`,
    );
  }
}

/**
 * Reads, validates and normalises a DER SubjectPublicKeyInfo. The forms Tessera issues for
 * (P-256/P-384 with a named curve, RSA-2048/3072) are checked exactly in a few microseconds;
 * any other form is decoded by OpenSSL and re-encoded, at about 200 µs, and is then reported with
 * `keyAlgorithm` undefined unless OpenSSL names it as one of Tessera's.
 *
 * @throws TesseraError `certificate.public_key_invalid`.
 */
export function readSubjectPublicKey(spki: Uint8Array): SubjectPublicKey {
  const input = Buffer.from(spki);
  const canonical = readCanonical(input);
  if (canonical) return canonical;
  let normalized: Buffer;
  let keyAlgorithm: SigningKeyAlgorithm | undefined;
  try {
    const key = createPublicKey({ key: input, format: "der", type: "spki" });
    keyAlgorithm = keyAlgorithmOf(key);
    normalized = key.export({ type: "spki", format: "der" });
  } catch (error) {
    throw new TesseraError("certificate.public_key_invalid", undefined, { cause: (error as Error).message });
  }
  return { spki: normalized, bits: subjectPublicKeyBits(normalized), keyAlgorithm };
}

/** The subjectPublicKey BIT STRING value of a DER SubjectPublicKeyInfo (whole bytes only). */
export function subjectPublicKeyBits(spki: Uint8Array): Buffer {
  const [, bits] = children(spki, readWhole(spki, Tag.sequence));
  const value = content(spki, expectTag(bits, Tag.bitString, "subjectPublicKey"));
  if (value[0] !== 0) throw derError("subjectPublicKey has unused bits");
  return value.subarray(1);
}
