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
  it("gives OpenSSL's SHA-256 chain of a 32-byte block, for every length of chain up to 70", () => {
    for (let times = 0; times <= 70; times++) {
      const block = randomBytes(32);
      expect(iterateDigest("sha256", block, times).toString("hex")).toBe(
        chainByOpenSsl("sha256", block, times).toString("hex"),
      );
    }
  });

  it("gives it for blocks whose words have their top bits set, none set, and a MAC's 2,047 links", () => {
    const blocks = [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x00), Buffer.alloc(32, 0x80), randomBytes(32)];
    for (const block of blocks)
      expect(iterateDigest("sha256", block, 2047).equals(chainByOpenSsl("sha256", block, 2047))).toBe(true);
  });

  it("leaves its input as it was", () => {
    const block = randomBytes(32);
    const copy = Buffer.from(block);
    iterateDigest("sha256", block, 3);
    expect(block.equals(copy)).toBe(true);
  });

  it("chains the other digests and other lengths through OpenSSL", () => {
    for (const [name, length] of [
      ["sha1", 20],
      ["sha256", 31],
      ["sha384", 48],
      ["sha512", 64],
    ] as const) {
      const block = randomBytes(length);
      expect(iterateDigest(name, block, 5).equals(chainByOpenSsl(name, block, 5))).toBe(true);
    }
  });
});
