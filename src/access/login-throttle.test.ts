import { describe, expect, it } from "vitest";
import { delayAfter } from "./login-throttle.js";

describe("login throttle rules", () => {
  it("waits nothing while failures are free, then doubles up to the cap", () => {
    const rule = { freeFailures: 3, firstDelaySeconds: 1, maxDelaySeconds: 900 };
    expect([0, 1, 2, 3, 4, 5, 12, 13, 100, 10_000].map((f) => delayAfter(f, rule) / 1000)).toEqual([
      0, 0, 0, 1, 2, 4, 512, 900, 900, 900,
    ]);
  });
});
