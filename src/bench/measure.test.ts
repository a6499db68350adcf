import { describe, expect, it } from "vitest";
import { medianItem } from "./measure.js";

describe("medianItem", () => {
  const round = (name: string, ratio: number) => ({ name, ratio });

  it("is the middle item by key, whatever order the items come in", () => {
    const rounds = [round("a", 0.81), round("b", 0.93), round("c", 0.74)];
    expect(medianItem(rounds, (r) => r.ratio).name).toBe("a");
    expect(medianItem([rounds[2]!, rounds[0]!, rounds[1]!], (r) => r.ratio).name).toBe("a");
    expect(
      medianItem([round("x", 5), round("y", 1), round("z", 4), round("v", 2), round("w", 3)], (r) => r.ratio)
        .name,
    ).toBe("w");
  });

  it("is the only item of one, and one of the equal ones when keys tie", () => {
    expect(medianItem([round("only", 0.5)], (r) => r.ratio).name).toBe("only");
    expect(medianItem([round("a", 0.8), round("b", 0.8), round("c", 0.9)], (r) => r.ratio).ratio).toBe(0.8);
  });

  it("leaves the items as they were", () => {
    const rounds = [round("a", 3), round("b", 1), round("c", 2)];
    medianItem(rounds, (r) => r.ratio);
    expect(rounds.map((r) => r.name)).toEqual(["a", "b", "c"]);
  });

  it("refuses an even number of items or none: their median would be no item's", () => {
    expect(() => medianItem([round("a", 1), round("b", 2)], (r) => r.ratio)).toThrow(RangeError);
    expect(() => medianItem([], (r: { ratio: number }) => r.ratio)).toThrow(/odd number of items, not 0/);
  });
});
