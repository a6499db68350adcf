import { describe, expect, it } from "vitest";
import { benchProduction } from "./bench-production.js";

describe("benchProduction", () => {
  it("measures every part of production on a small batch", async () => {
    const result = await benchProduction({ cards: 40, pkcs12Files: 10 });
    expect(result.counts).toEqual({ pkcs12Files: 10, cardFaces: 40, pinLetters: 40 });
    expect(result.pkcs12PerSecond).toBeGreaterThan(0);
    expect(result.cardFacesPerSecond).toBeGreaterThan(0);
    expect(result.pinLettersPerSecond).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(10);
  });
});
