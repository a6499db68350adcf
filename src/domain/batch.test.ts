import { describe, expect, it } from "vitest";
import { parseBatchOptions, planChunks, smallestTailChunk } from "./batch.js";

const issueOptionsOf = (stored: unknown) => parseBatchOptions("CardsBoProcIssueMultiple", stored);

describe("issue options read back from a batch row", () => {
  const stored = {
    pinLength: 6,
    pukLength: 8,
    certificates: null,
    cardEndState: "issued",
    certificateEndState: "onHold",
    pukPrinted: false,
  };

  it("are the options that were stored", () => {
    expect(issueOptionsOf(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });

  it("refuse a row that lacks an option or holds a state that is not one", () => {
    const { pukPrinted: _, ...withoutPukDelivery } = stored;
    expect(() => issueOptionsOf(withoutPukDelivery)).toThrow();
    expect(() => issueOptionsOf({ ...stored, cardEndState: "locked" })).toThrow();
    expect(() => issueOptionsOf({ ...stored, pinLength: 3 })).toThrow();
  });
});

describe("the chunks a batch is cut into", () => {
  const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);

  it("are full chunks, then each a quarter of what is left, down to fifty cards", () => {
    const sizes = planChunks(10_000, 250);
    expect(sum(sizes)).toBe(10_000);
    // 9,000 cards in 36 full chunks; then 1,000 left: 250, then a quarter of 750, 562, …
    expect(sizes.slice(0, 37)).toEqual(Array(37).fill(250));
    expect(sizes.slice(37)).toEqual([188, 141, 106, 79, 59, 50, 50, 50, 27]);
  });

  it("never grow towards the end, and none is larger than the chunk size", () => {
    for (const [cards, chunkSize] of [
      [1, 250],
      [51, 250],
      [999, 250],
      [100_000, 250],
      [100_000, 5000],
      [777, 64],
    ] as const) {
      const sizes = planChunks(cards, chunkSize);
      expect(sum(sizes)).toBe(cards);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(chunkSize);
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      // Only the very last may be smaller than fifty cards.
      expect(sizes.slice(0, -1).every((size) => size >= Math.min(chunkSize, smallestTailChunk))).toBe(true);
    }
  });

  it("keep a small batch in one chunk, and chunks of at most fifty cards as they are configured", () => {
    expect(planChunks(50, 250)).toEqual([50]);
    expect(planChunks(0, 250)).toEqual([]);
    expect(planChunks(10, 4)).toEqual([4, 4, 2]);
    expect(planChunks(100, 50)).toEqual([50, 50]);
  });

  it("refuse a count or a size that is not a whole number of cards", () => {
    expect(() => planChunks(-1, 250)).toThrow(RangeError);
    expect(() => planChunks(10, 0)).toThrow(RangeError);
    expect(() => planChunks(10, 2.5)).toThrow(RangeError);
  });
});
