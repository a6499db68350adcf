import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomInt } from "node:crypto";
import { TesseraError } from "../domain/errors.js";
import { publicRandomBytes } from "../pki/public-random.js";

/**
 * A string of `length` random decimal digits, each drawn uniformly (a PIN or a PUK).
 *
 * `crypto.randomInt` rejects out-of-range draws instead of reducing modulo 10, so no digit is
 * more likely than another; leading zeros are kept, so every one of the 10^length values can occur.
 */
export function generateDigits(length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new TesseraError("production.digits_length_invalid", undefined, { length });
  }
  let digits = "";
  for (let i = 0; i < length; i++) digits += String(randomInt(10));
  return digits;
}

/** Encrypts PUKs for storage and decrypts them for unblocking. */
export interface PukCipher {
  /**
   * Encrypts `puk` for the card named by `associatedData` (the card id). The result is text:
   * `v1.<iv>.<ciphertext>.<tag>`, each part base64url, safe in any database column.
   */
  encrypt(puk: string, associatedData: string): string;
  /**
   * Decrypts what {@link PukCipher.encrypt} made for the same card id. Throws a
   * `production.puk_ciphertext_tampered` error when the text was altered, was made for another
   * card, or under another key; `production.puk_ciphertext_malformed` when it is not `v1` text.
   */
  decrypt(encrypted: string, associatedData: string): string;
}

const formatVersion = "v1";
const ivBytes = 12;
const tagBytes = 16;

/**
 * A {@link PukCipher} using AES-256-GCM under `key` (32 bytes, from configuration).
 *
 * Each PUK gets a fresh random 12-byte IV: random 96-bit IVs are safe for up to 2^32
 * encryptions under one key (NIST SP 800-38D §8.3), and a deployment encrypts one PUK per card,
 * far below that. The card id and the
 * format version are authenticated as associated data, so a PUK copied onto another card's row,
 * or a v1 text read as a later version, fails the tag check instead of unblocking the wrong card.
 */
export function createPukCipher(key: Buffer): PukCipher {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new TesseraError("production.puk_key_invalid", undefined, {
      length: Buffer.isBuffer(key) ? key.length : undefined,
    });
  }
  // A KeyObject keeps its own copy: a caller that wipes its buffer later does not break the cipher.
  const secret: KeyObject = createSecretKey(Buffer.from(key));
  const aad = (cardId: string) => Buffer.from(`tessera.puk.${formatVersion}:${cardId}`, "utf8");

  return {
    encrypt(puk, associatedData) {
      if (typeof puk !== "string" || puk.length === 0) throw new TesseraError("production.puk_invalid");
      // The IV is stored beside the ciphertext: public, so it may come from the pooled draw.
      const iv = publicRandomBytes(ivBytes);
      const cipher = createCipheriv("aes-256-gcm", secret, iv, { authTagLength: tagBytes });
      cipher.setAAD(aad(associatedData));
      const ciphertext = Buffer.concat([cipher.update(puk, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${formatVersion}.${iv.toString("base64url")}.${ciphertext.toString("base64url")}.${tag.toString("base64url")}`;
    },

    decrypt(encrypted, associatedData) {
      const { iv, ciphertext, tag } = parseEncryptedPuk(encrypted);
      const decipher = createDecipheriv("aes-256-gcm", secret, iv, { authTagLength: tagBytes });
      decipher.setAAD(aad(associatedData));
      decipher.setAuthTag(tag);
      const plaintext = decipher.update(ciphertext);
      try {
        // final() is where GCM compares the tag; nothing decrypted is returned unless it matches.
        return Buffer.concat([plaintext, decipher.final()]).toString("utf8");
      } catch (error) {
        throw new TesseraError("production.puk_ciphertext_tampered", undefined, undefined, {
          cause: error,
        });
      }
    },
  };
}

function parseEncryptedPuk(encrypted: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const malformed = (reason: string) =>
    new TesseraError("production.puk_ciphertext_malformed", undefined, { reason });
  if (typeof encrypted !== "string") throw malformed("not a string");
  const parts = encrypted.split(".");
  if (parts.length !== 4) throw malformed("expected four dot-separated parts");
  const [version, ...encoded] = parts as [string, string, string, string];
  if (version !== formatVersion) throw malformed(`unknown format version "${version}"`);
  // Buffer.from(…, "base64url") skips characters it does not know; decoding strictly means
  // a changed character is reported as tampering or malformation, never silently dropped.
  const [iv, ciphertext, tag] = encoded.map((part) => {
    const bytes = Buffer.from(part, "base64url");
    if (bytes.toString("base64url") !== part) throw malformed("a part is not base64url");
    return bytes;
  }) as [Buffer, Buffer, Buffer];
  if (iv.length !== ivBytes) throw malformed(`the IV must be ${ivBytes} bytes`);
  if (tag.length !== tagBytes) throw malformed(`the tag must be ${tagBytes} bytes`);
  if (ciphertext.length === 0) throw malformed("the ciphertext is empty");
  return { iv, ciphertext, tag };
}
