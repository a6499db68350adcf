import { describe, expect, it } from "vitest";
import { publicRandomBytes } from "./public-random.js";

describe("publicRandomBytes", () => {
  it("hands out fresh bytes across refills of its block, never the same value twice", () => {
    // 1,000 × 16 bytes runs through the 4 KiB block almost four times.
    const values = Array.from({ length: 1_000 }, () => publicRandomBytes(16).toString("hex"));
    expect(new Set(values).size).toBe(values.length);
    // Every byte value turns up, about equally: 16,000 bytes, 62.5 of each expected.
    const counts = new Array<number>(256).fill(0);
    for (const value of values) for (const byte of Buffer.from(value, "hex")) counts[byte]!++;
    expect(Math.min(...counts)).toBeGreaterThan(25);
    expect(Math.max(...counts)).toBeLessThan(110);
  });

  it("gives each caller bytes of its own, which later draws and refills leave alone", () => {
    const first = publicRandomBytes(16);
    const kept = Buffer.from(first);
    for (let i = 0; i < 600; i++) publicRandomBytes(16).fill(0);
    expect(first.equals(kept)).toBe(true);
    expect(publicRandomBytes(0)).toHaveLength(0);
  });

  it("refuses sizes it cannot give", () => {
    for (const size of [-1, 1.5, 4097, Number.NaN]) expect(() => publicRandomBytes(size)).toThrow(RangeError);
  });
});
