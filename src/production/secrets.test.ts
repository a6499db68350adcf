import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { createPukCipher, generateDigits } from "./secrets.js";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
  return undefined;
}

describe("generateDigits", () => {
  it("returns exactly `length` decimal digits", () => {
    for (const length of [1, 4, 6, 8, 12, 16, 64]) {
      expect(generateDigits(length)).toMatch(new RegExp(`^[0-9]{${length}}$`));
    }
  });

  it("refuses lengths that are not integers from 1 to 64", () => {
    for (const length of [0, -1, 65, 1.5, Number.NaN]) {
      expect(codeOf(() => generateDigits(length))).toBe("production.digits_length_invalid");
    }
  });

  it("draws every digit, in every position, about equally often", () => {
    // 10,000 single digits: each count is ≈ 1000 ± 30 (one standard deviation); ±300 never fails
    // by chance (p < 1e-20) but does fail for a biased or stuck generator.
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[Number(generateDigits(1))]!++;
    for (const count of counts) expect(count).toBeGreaterThan(700);
    for (const count of counts) expect(count).toBeLessThan(1300);

    // Leading zeros are kept: a PIN is a string, not a number.
    const leadingDigits = new Set(Array.from({ length: 1000 }, () => generateDigits(6)[0]));
    expect(leadingDigits.size).toBe(10);
  });
});

describe("createPukCipher", () => {
  const key = randomBytes(32);

  it("decrypts what it encrypted for the same card", () => {
    const cipher = createPukCipher(key);
    const encrypted = cipher.encrypt("12345678", "card-1");
    expect(encrypted).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(encrypted).not.toContain("12345678");
    expect(cipher.decrypt(encrypted, "card-1")).toBe("12345678");
  });

  it("uses a fresh IV each time", () => {
    const cipher = createPukCipher(key);
    expect(cipher.encrypt("12345678", "card-1")).not.toBe(cipher.encrypt("12345678", "card-1"));
  });

  it("refuses a PUK moved to another card", () => {
    const cipher = createPukCipher(key);
    const encrypted = cipher.encrypt("12345678", "card-1");
    expect(codeOf(() => cipher.decrypt(encrypted, "card-2"))).toBe("production.puk_ciphertext_tampered");
  });

  it("refuses altered ciphertext, an altered tag and another key", () => {
    const cipher = createPukCipher(key);
    const encrypted = cipher.encrypt("12345678", "card-1");
    const [version, iv, ciphertext, tag] = encrypted.split(".") as [string, string, string, string];
    const flipFirst = (part: string) => (part[0] === "A" ? "B" : "A") + part.slice(1);

    for (const altered of [
      [version, flipFirst(iv), ciphertext, tag],
      [version, iv, flipFirst(ciphertext), tag],
      [version, iv, ciphertext, flipFirst(tag)],
    ]) {
      expect(codeOf(() => cipher.decrypt(altered.join("."), "card-1"))).toBe(
        "production.puk_ciphertext_tampered",
      );
    }
    expect(codeOf(() => createPukCipher(randomBytes(32)).decrypt(encrypted, "card-1"))).toBe(
      "production.puk_ciphertext_tampered",
    );
  });

  it("reports text that is not v1 as malformed", () => {
    const cipher = createPukCipher(key);
    const encrypted = cipher.encrypt("12345678", "card-1");
    const [, iv, ciphertext, tag] = encrypted.split(".");
    for (const text of [
      "",
      "12345678",
      `v2.${iv}.${ciphertext}.${tag}`,
      `v1.${iv}.${ciphertext}`,
      `v1.${iv}.${ciphertext}.${tag}.extra`,
      `v1.${iv}.${ciphertext}.${tag}!`,
      `v1.${iv?.slice(2)}.${ciphertext}.${tag}`,
      `v1.${iv}..${tag}`,
    ]) {
      expect(codeOf(() => cipher.decrypt(text, "card-1"))).toBe("production.puk_ciphertext_malformed");
    }
  });

  it("needs a 32-byte key and a PUK", () => {
    expect(codeOf(() => createPukCipher(randomBytes(16)))).toBe("production.puk_key_invalid");
    expect(codeOf(() => createPukCipher(Buffer.from("not a key")))).toBe("production.puk_key_invalid");
    expect(codeOf(() => createPukCipher(key).encrypt("", "card-1"))).toBe("production.puk_invalid");
  });

  it("keeps working when the caller wipes its key buffer", () => {
    const callerKey = Buffer.from(key);
    const cipher = createPukCipher(callerKey);
    const encrypted = cipher.encrypt("87654321", "card-9");
    callerKey.fill(0);
    expect(cipher.decrypt(encrypted, "card-9")).toBe("87654321");
  });
});
