import { createPublicKey, ECDH, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { errorCodeOf } from "../test-support/errors.js";
import { bitString, derNull, oid, sequence, Tag, tlv } from "./der.js";
import { Oid } from "./oids.js";
import { readSubjectPublicKey, subjectPublicKeyBits } from "./subject-public-key.js";

const opensslNormalized = (spki: Buffer) =>
  createPublicKey({ key: spki, format: "der", type: "spki" }).export({ type: "spki", format: "der" });

const ecSpki = (curveOid: string, point: Buffer) =>
  sequence(sequence(oid(Oid.ecPublicKey), oid(curveOid)), bitString(point));

const codeOf = (spki: Buffer) => errorCodeOf(() => readSubjectPublicKey(spki));

describe("subject public keys", () => {
  it("agrees with OpenSSL on the keys Tessera issues for", () => {
    const keys: [KeyAlgorithm, Buffer][] = [];
    for (let i = 0; i < 20; i++) {
      for (const curve of ["P-256", "P-384"] as const) {
        const { publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
        keys.push([curve, publicKey.export({ type: "spki", format: "der" })]);
      }
    }
    for (const modulusLength of [2048, 3072]) {
      const { publicKey } = generateKeyPairSync("rsa", { modulusLength });
      keys.push([`RSA-${modulusLength}` as KeyAlgorithm, publicKey.export({ type: "spki", format: "der" })]);
    }
    for (const [keyAlgorithm, spki] of keys) {
      const read = readSubjectPublicKey(spki);
      expect(read.keyAlgorithm).toBe(keyAlgorithm);
      expect(read.spki).toEqual(opensslNormalized(spki));
      expect(read.bits).toEqual(subjectPublicKeyBits(spki));
    }
  });

  it("expands compressed points (RFC 5480 §2.2: the uncompressed form is the one all clients read)", () => {
    for (const [curve, curveOid, opensslName] of [
      ["P-256", "1.2.840.10045.3.1.7", "prime256v1"],
      ["P-384", "1.3.132.0.34", "secp384r1"],
    ] as const) {
      for (let i = 0; i < 10; i++) {
        const { publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
        const uncompressed = publicKey.export({ type: "spki", format: "der" });
        const point = subjectPublicKeyBits(uncompressed);
        const compressed = ECDH.convertKey(point, opensslName, undefined, undefined, "compressed") as Buffer;
        const read = readSubjectPublicKey(ecSpki(curveOid, compressed));
        expect(read.spki).toEqual(uncompressed);
        expect(read.bits).toEqual(point);
        expect(read.keyAlgorithm).toBe(curve);
      }
    }
    // An x with no point on the curve (about half of all x): refused.
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      if (
        codeOf(ecSpki("1.2.840.10045.3.1.7", Buffer.concat([Buffer.from([2]), randomBytes(32)]))) !==
        "no error"
      )
        refused++;
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(20);
  });

  it("refuses points off the curve and coordinates out of range", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const point = Buffer.from(subjectPublicKeyBits(publicKey.export({ type: "spki", format: "der" })));
    for (let i = 0; i < 20; i++) {
      const random = Buffer.concat([Buffer.from([4]), randomBytes(96)]);
      expect(codeOf(ecSpki("1.3.132.0.34", random))).toBe("certificate.public_key_invalid");
    }
    const tweaked = Buffer.from(point);
    tweaked[96]! ^= 1;
    expect(codeOf(ecSpki("1.3.132.0.34", tweaked))).toBe("certificate.public_key_invalid");
    const outOfRange = Buffer.concat([Buffer.from([4]), Buffer.alloc(48, 0xff), point.subarray(49)]);
    expect(codeOf(ecSpki("1.3.132.0.34", outOfRange))).toBe("certificate.public_key_invalid");
    // A P-384 point labelled P-256 has the wrong length: OpenSSL refuses it.
    expect(codeOf(ecSpki("1.2.840.10045.3.1.7", point))).toBe("certificate.public_key_invalid");
  });

  it("refuses broken RSA keys and reports other algorithms as unknown", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = publicKey.export({ format: "jwk" });
    const n = Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n!, "base64url")]);
    const rsaSpki = (modulus: Buffer, exponent: Buffer) =>
      sequence(
        sequence(oid(Oid.rsaEncryption), derNull),
        bitString(sequence(tlv(Tag.integer, modulus), tlv(Tag.integer, exponent))),
      );
    expect(readSubjectPublicKey(rsaSpki(n, Buffer.from([1, 0, 1]))).keyAlgorithm).toBe("RSA-2048");
    expect(codeOf(rsaSpki(n, Buffer.from([1, 0, 0])))).toBe("certificate.public_key_invalid"); // even exponent
    expect(codeOf(rsaSpki(n, Buffer.from([1])))).toBe("certificate.public_key_invalid");
    const evenModulus = Buffer.from(n);
    evenModulus[evenModulus.length - 1]! &= 0xfe;
    expect(codeOf(rsaSpki(evenModulus, Buffer.from([1, 0, 1])))).toBe("certificate.public_key_invalid");

    const rsa4096 = generateKeyPairSync("rsa", { modulusLength: 4096 }).publicKey.export({
      type: "spki",
      format: "der",
    });
    // Through OpenSSL: an RSA-4096 key is a CA's only (its CA key type rsa4096), never a card's.
    expect(readSubjectPublicKey(rsa4096).keyAlgorithm).toBe("RSA-4096");
    const ed25519 = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "der" });
    expect(readSubjectPublicKey(ed25519).keyAlgorithm).toBeUndefined();
    expect(codeOf(Buffer.from("30030201ff", "hex"))).toBe("certificate.public_key_invalid");
  });
});
