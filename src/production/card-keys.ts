import { generateKeyPairSync, type JsonWebKey } from "node:crypto";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { explicit, octetString, oid, sequence, tlv } from "../pki/der.js";
import { integer } from "./der.js";

/** A key pair made for one certificate profile, both halves DER. */
export interface CardKeyPair {
  /** DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): what the certificate carries. */
  readonly publicKeySpki: Buffer;
  /** DER PrivateKeyInfo (PKCS#8, RFC 5208), unencrypted: what the software token stores. */
  readonly privateKeyPkcs8: Buffer;
}

const ecPublicKey = oid("1.2.840.10045.2.1");
const curves = {
  "P-256": { algorithm: sequence(ecPublicKey, oid("1.2.840.10045.3.1.7")), size: 32 },
  "P-384": { algorithm: sequence(ecPublicKey, oid("1.3.132.0.34")), size: 48 },
} as const;

/**
 * A fresh key pair of `keyAlgorithm`, generated in this thread with node:crypto (the software
 * card's "on the card").
 *
 * EC keys come out of the generator as JWK and their DER is written here by hand: OpenSSL 3's
 * DER encoders cost ≈ 140 µs (SPKI) and ≈ 55 µs (PKCS#8) a key here, several times the key
 * generation itself, while JWK costs a few µs. The bytes are exactly what `KeyObject.export`
 * writes (the tests compare them): PKCS#8 with the curve in the AlgorithmIdentifier and an
 * ECPrivateKey (RFC 5915) carrying the public point, SPKI with the uncompressed point (RFC 5480).
 * RSA key generation takes 100 ms or more, so its DER is left to OpenSSL.
 *
 * The encoding is asked of `generateKeyPairSync` itself, never of a KeyObject it returned:
 * on Node 20, exporting a just-generated KeyObject can deadlock the thread when a garbage
 * collection runs during the export and finalizes the finished key-generation job, which takes
 * the key's lock the export already holds (seen here as a benchmark thread stuck forever).
 */
export function generateCardKeyPair(keyAlgorithm: KeyAlgorithm): CardKeyPair {
  switch (keyAlgorithm) {
    case "P-256":
    case "P-384":
      return generateEcKeyPair(keyAlgorithm);
    case "RSA-2048":
    case "RSA-3072": {
      const { publicKey, privateKey } = generateKeyPairSync("rsa", {
        modulusLength: keyAlgorithm === "RSA-2048" ? 2048 : 3072,
        publicKeyEncoding: { type: "spki", format: "der" },
        privateKeyEncoding: { type: "pkcs8", format: "der" },
      });
      return { publicKeySpki: publicKey, privateKeyPkcs8: privateKey };
    }
  }
}

/** `generateKeyPairSync` with JWK encodings, which Node has had since 15.12 but @types/node 20 leaves out. */
const generateJwkPair = generateKeyPairSync as unknown as (
  type: "ec",
  options: {
    namedCurve: string;
    publicKeyEncoding: { format: "jwk" };
    privateKeyEncoding: { format: "jwk" };
  },
) => { publicKey: JsonWebKey; privateKey: JsonWebKey };

function generateEcKeyPair(keyAlgorithm: "P-256" | "P-384"): CardKeyPair {
  const { algorithm, size } = curves[keyAlgorithm];
  const jwk = generateJwkPair("ec", {
    namedCurve: keyAlgorithm,
    publicKeyEncoding: { format: "jwk" },
    privateKeyEncoding: { format: "jwk" },
  }).privateKey;
  const point = Buffer.concat([
    Buffer.from([0x04]),
    coordinate(jwk.x, keyAlgorithm, size),
    coordinate(jwk.y, keyAlgorithm, size),
  ]);
  // BIT STRING with no unused bits.
  const publicKeyBits = tlv(0x03, Buffer.from([0x00]), point);
  return {
    publicKeySpki: sequence(algorithm, publicKeyBits),
    privateKeyPkcs8: sequence(
      integer(0),
      algorithm,
      octetString(
        sequence(integer(1), octetString(coordinate(jwk.d, keyAlgorithm, size)), explicit(1, publicKeyBits)),
      ),
    ),
  };
}

/** A JWK value (a coordinate or the private scalar) as the field's `size` bytes. */
function coordinate(value: string | undefined, keyAlgorithm: string, size: number): Buffer {
  const bytes = Buffer.from(value ?? "", "base64url");
  // RFC 7518 §6.2.1 fixes each value to the field size; pad anyway rather than trust it.
  if (bytes.length > size || bytes.length === 0) throw new Error(`unexpected ${keyAlgorithm} JWK value`);
  return bytes.length === size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

/**
 * A P-384 private key as PKCS#8 DER, for the CA of a benchmark or a test: encoded by the
 * generator, so a KeyObject made from it with `createPrivateKey` is safe to export and sign with
 * (see {@link generateCardKeyPair} on Node 20's keygen deadlock).
 */
export function generateCaKeyDer(): Buffer {
  return generateKeyPairSync("ec", {
    namedCurve: "P-384",
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "der" },
  }).privateKey;
}
