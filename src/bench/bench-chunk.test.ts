import { describe, expect, it } from "vitest";
import { benchCardCeiling, benchProduceChunks } from "./bench-chunk.js";

describe("production benchmarks", () => {
  it("measures the bare-crypto ceiling of a software card on two threads", async () => {
    const result = await benchCardCeiling({ cards: 40, threads: 2 });
    expect(result).toMatchObject({ cards: 40, threads: 2 });
    expect(result.cardsPerSecond).toBeGreaterThan(0);
  });

  it("measures real chunks through the worker pool", async () => {
    const result = await benchProduceChunks({ cards: 30, threads: 2, chunkSize: 8 });
    expect(result).toMatchObject({ cards: 30, failed: 0, threads: 2, chunkSize: 8 });
    expect(result.cardsPerSecond).toBeGreaterThan(0);
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(result.peakRssMb).toBeGreaterThan(10);
  });
});
