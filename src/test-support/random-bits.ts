import { expect } from "vitest";

/**
 * That each of the low `bits` bits of `values` is 0 in some of them and 1 in others: drawn
 * values whose random part is whole. Two hundred values leave a fair bit the same in all of
 * them with a chance of 2^-199; a bit that never changes (a constant, a counter's high bits) fails.
 */
export function expectEachBitVaries(values: readonly bigint[], bits: number): void {
  for (let bit = 0n; bit < BigInt(bits); bit++) {
    const ones = values.filter((value) => (value >> bit) & 1n).length;
    expect(ones, `bit ${bit}`).toBeGreaterThan(0);
    expect(ones, `bit ${bit}`).toBeLessThan(values.length);
  }
}
