import { createCipheriv, hash } from "node:crypto";
import { oid as encodeOid, octetString, sequence } from "../pki/der.js";
import { publicRandomBytes } from "../pki/public-random.js";
import { integer, utf16be } from "./der.js";
import { iterateDigest } from "./digest-chain.js";

/**
 * PKCS#12's own password-based algorithms (RFC 7292 Appendix B and C), which predate PBES2:
 * the key derivation every PKCS#12 MAC uses, and the `pbeWithSHAAnd3-KeyTripleDES-CBC`
 * encryption of the `legacy` token format — what `openssl pkcs12 -export -legacy -descert`
 * writes and what readers older than PBES2 support (Go's x/crypto/pkcs12, Heimdal, Windows
 * before 10 1709, macOS before 11).
 *
 * Why it is weaker than PBES2 (RFC 8018): the key comes from an iterated plain SHA-1 chain, not
 * PBKDF2-HMAC-SHA256; the cipher is 3DES (64-bit blocks, 112-bit effective strength, retired
 * by NIST SP 800-131A after 2023); and the IV is derived from the password and salt rather than
 * random, so each encryption needs a salt of its own.
 */

/** A digest as RFC 7292 Appendix B.2 uses it: u = output bytes, v = block bytes. */
export interface Pkcs12Digest {
  readonly name: string;
  readonly u: number;
  readonly v: number;
}

export const sha1Digest: Pkcs12Digest = { name: "sha1", u: 20, v: 64 };
export const sha256Digest: Pkcs12Digest = { name: "sha256", u: 32, v: 64 };

/** The purpose byte ID of RFC 7292 Appendix B.3. */
export const KeyPurpose = { encryptionKey: 1, iv: 2, macKey: 3 } as const;

/**
 * The key derivation of RFC 7292 Appendix B.2: `length` bytes for `purpose` from `password`
 * (taken as a BMPString with its two-byte zero terminator, B.1) and `salt`, with `iterations`
 * applications of the digest.
 *
 * When the key is longer than one digest (a 3DES key from SHA-1: 24 > 20), step 6 adds each
 * block to I before the next. The chain of step 2 is `iterateDigest`'s (≈ 0.6 ms for 2048
 * SHA-256 here).
 */
export function derivePkcs12Key(
  digest: Pkcs12Digest,
  purpose: number,
  password: string,
  salt: Buffer,
  iterations: number,
  length: number,
): Buffer {
  const { name, u, v } = digest;
  const passwordBmp = Buffer.concat([utf16be(password), Buffer.alloc(2)]);
  const repeatToBlocks = (bytes: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let offset = 0; offset < out.length; offset += bytes.length) bytes.copy(out, offset);
    return out;
  };
  const diversifier = Buffer.alloc(v, purpose);
  const input = Buffer.concat([repeatToBlocks(salt), repeatToBlocks(passwordBmp)]);
  const blocks = Math.ceil(length / u);
  const out: Buffer[] = [];
  for (let i = 0; i < blocks; i++) {
    const first = hash(name, Buffer.concat([diversifier, input]), "buffer");
    const block = iterateDigest(name, first, iterations - 1);
    out.push(block);
    if (i + 1 === blocks) break;
    // Step 6: B is A repeated to v bytes; every v-byte block Iⱼ of I becomes (Iⱼ + B + 1) mod 2^(8v).
    const b = repeatToBlocks(block).subarray(0, v);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[offset + k]! + b[k]! + carry;
        input[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C). */
export const pbeWithSha1And3DesOid = encodeOid("1.2.840.113549.1.12.1.3");

/** Salt bytes of each legacy encryption and MAC: 8, what OpenSSL and Go write in this format. */
export const legacySaltBytes = 8;

/**
 * Encrypts `plaintext` with pbeWithSHAAnd3-KeyTripleDES-CBC under `password`, with a fresh salt.
 * Returns the AlgorithmIdentifier (with its pkcs-12PbeParams) to write beside the ciphertext.
 */
export function encryptPbeSha1TripleDes(
  plaintext: Buffer,
  password: string,
  iterations: number,
): { algorithm: Buffer; ciphertext: Buffer } {
  // The IV is derived from password and salt, so a salt per encryption is what keeps two
  // encryptions from sharing key and IV.
  const salt = publicRandomBytes(legacySaltBytes);
  const key = derivePkcs12Key(sha1Digest, KeyPurpose.encryptionKey, password, salt, iterations, 24);
  const iv = derivePkcs12Key(sha1Digest, KeyPurpose.iv, password, salt, iterations, 8);
  const cipher = createCipheriv("des-ede3-cbc", key, iv);
  return {
    algorithm: sequence(pbeWithSha1And3DesOid, sequence(octetString(salt), integer(iterations))),
    ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]),
  };
}
