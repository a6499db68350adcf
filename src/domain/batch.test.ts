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

  it("are full chunks, then each a share of what is left among the chunks in flight, down to fifty cards", () => {
    const sizes = planChunks(10_000, 250, 4);
    expect(sum(sizes)).toBe(10_000);
    // 9,250 cards in 37 full chunks; then of 750 left a quarter, of 562 a quarter, …
    expect(sizes.slice(0, 37)).toEqual(Array(37).fill(250));
    expect(sizes.slice(37)).toEqual([188, 141, 106, 79, 59, 50, 50, 39, 38]);
    // Eight threads hold sixteen chunks: the end is cut finer, earlier.
    expect(planChunks(10_000, 250, 16).slice(-6)).toEqual([50, 50, 50, 50, 45, 45]);
  });

  it("never grow towards the end, none is larger than the chunk size, and only the last two are below fifty", () => {
    for (const [cards, chunkSize, inFlight] of [
      [1, 250, 4],
      [51, 250, 4],
      [999, 250, 4],
      [100_000, 250, 4],
      [100_000, 5000, 2],
      [777, 64, 1],
      [10_000, 250, 128],
    ] as const) {
      const sizes = planChunks(cards, chunkSize, inFlight);
      expect(sum(sizes)).toBe(cards);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(chunkSize);
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      expect(sizes.slice(0, -2).every((size) => size >= smallestTailChunk)).toBe(true);
    }
  });

  it("leave no sliver at the end: the last cards below twice fifty are halved, a batch of fifty is one chunk", () => {
    expect(planChunks(50, 250, 4)).toEqual([50]);
    expect(planChunks(51, 250, 4)).toEqual([26, 25]);
    expect(planChunks(101, 250, 4)).toEqual([50, 26, 25]);
    expect(planChunks(200, 250, 4)).toEqual([50, 50, 50, 50]);
    expect(planChunks(0, 250, 4)).toEqual([]);
  });

  it("keep chunks of at most fifty cards as they are configured", () => {
    expect(planChunks(10, 4, 4)).toEqual([4, 4, 2]);
    expect(planChunks(120, 50, 4)).toEqual([50, 50, 20]);
  });

  it("refuse a count or a size that is not a whole number", () => {
    expect(() => planChunks(-1, 250, 4)).toThrow(RangeError);
    expect(() => planChunks(10, 0, 4)).toThrow(RangeError);
    expect(() => planChunks(10, 2.5, 4)).toThrow(RangeError);
    expect(() => planChunks(10, 250, 0)).toThrow(RangeError);
  });
});
