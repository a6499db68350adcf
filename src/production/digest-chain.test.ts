import { hash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { iterateDigest } from "./digest-chain.js";

/** The chain as OpenSSL computes it, one `crypto.hash` at a time: the oracle. */
function chainByOpenSsl(name: string, block: Buffer, times: number): Buffer {
  let out = block;
  for (let i = 0; i < times; i++) out = hash(name, out, "buffer");
  return out;
}

describe("iterateDigest", () => {
  // The two chains with a path of their own: the modern MAC's and the legacy format's.
  describe.each([
    ["sha256", 32],
    ["sha1", 20],
  ] as const)("%s of a %i-byte block", (name, length) => {
    it("gives OpenSSL's chain for every length of chain from 0 to 90", () => {
      for (let times = 0; times <= 90; times++) {
        const block = randomBytes(length);
        expect(iterateDigest(name, block, times).toString("hex")).toBe(
          chainByOpenSsl(name, block, times).toString("hex"),
        );
      }
    });

    it("gives it for words with their top bits all set, none set, the top bit alone, and 2,047 links", () => {
      const blocks = [0xff, 0x00, 0x80].map((byte) => Buffer.alloc(length, byte)).concat(randomBytes(length));
      for (const block of blocks)
        expect(iterateDigest(name, block, 2047).equals(chainByOpenSsl(name, block, 2047))).toBe(true);
    });

    it("leaves its input as it was", () => {
      const block = randomBytes(length);
      const copy = Buffer.from(block);
      iterateDigest(name, block, 3);
      expect(block.equals(copy)).toBe(true);
    });
  });

  it("chains the other digests and other lengths through OpenSSL", () => {
    for (const [name, length] of [
      ["sha1", 32],
      ["sha256", 20],
      ["sha256", 31],
      ["sha384", 48],
      ["sha512", 64],
    ] as const) {
      const block = randomBytes(length);
      expect(iterateDigest(name, block, 5).equals(chainByOpenSsl(name, block, 5))).toBe(true);
    }
  });
});
