import { describe, expect, it } from "vitest";
import { expectEachBitVaries } from "../test-support/random-bits.js";
import { newRowId } from "./row-ids.js";

/** RFC 9562's layout read back by hand: the milliseconds in the first 48 bits. */
function fieldsOf(id: string) {
  return { ms: Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16) };
}

describe("new row ids", () => {
  it("are version 7 UUIDs carrying the time they were made", () => {
    const before = Date.now();
    const id = newRowId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { ms } = fieldsOf(id);
    // A burst before this test may have borrowed a millisecond or two.
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 2);
  });

  it("grow in the order they are made, within a millisecond and when the clock steps back", () => {
    const at = Date.now() + 60_000;
    const ids = [
      ...Array.from({ length: 5000 }, () => newRowId(at)),
      newRowId(at - 30_000),
      ...Array.from({ length: 5000 }, () => newRowId()),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // 5,000 ids in one millisecond overflow its 12-bit counter into the next ones, no further.
    expect(fieldsOf(ids[4999]!).ms - at).toBeLessThanOrEqual(2);
  });

  it("keep 62 random bits: across ids of one millisecond, each of those bits is both 0 and 1", () => {
    const at = Date.now() + 120_000;
    const tails = Array.from({ length: 200 }, () => {
      const hex = newRowId(at).replaceAll("-", "").slice(16);
      // The 64 bits after the counter, less the two variant bits.
      return BigInt(`0x${hex}`) & ((1n << 62n) - 1n);
    });
    expectEachBitVaries(tails, 62);
  });
});
