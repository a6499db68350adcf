import { describe, expect, it } from "vitest";
import { newRowId } from "./row-ids.js";

/** RFC 9562's layout read back by hand: version 7, variant 10, the milliseconds in the first 48 bits. */
function fieldsOf(id: string) {
  const hex = id.replaceAll("-", "");
  return {
    ms: Number.parseInt(hex.slice(0, 12), 16),
    version: hex[12],
    variant: Number.parseInt(hex[16]!, 16) >> 2,
  };
}

describe("new row ids", () => {
  it("are version 7 UUIDs carrying the time they were made", () => {
    const before = Date.now();
    const id = newRowId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { ms, version, variant } = fieldsOf(id);
    expect(version).toBe("7");
    expect(variant).toBe(0b10);
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

  it("keep 62 random bits: two made in the same millisecond differ in them", () => {
    const at = Date.now() + 120_000;
    const [a, b] = [newRowId(at), newRowId(at)];
    expect(a.slice(0, 13)).toBe(b.slice(0, 13));
    expect(a.slice(19)).not.toBe(b.slice(19));
  });
});
