import { describe, expect, it } from "vitest";
import { monthsFromMarch2026 } from "../test-support/calendar.js";
import { monthsFrom, sliceThroughput } from "./pictures.js";

describe("a batch's throughput in slices", () => {
  it("cuts a 2-minute batch into 10-second slices and counts each finish in its slice", () => {
    const { sliceSeconds, slices } = sliceThroughput("2026-03-01T09:00:00.000Z", "2026-03-01T09:02:00.000Z", [
      { at: "2026-03-01T09:00:00.000Z", done: 4, failed: 0 },
      { at: "2026-03-01T09:00:09.999Z", done: 3, failed: 1 },
      { at: "2026-03-01T09:00:10.000Z", done: 2, failed: 0 },
      { at: "2026-03-01T09:02:00.000Z", done: 4, failed: 0 },
    ]);
    expect(sliceSeconds).toBe(10);
    expect(slices).toHaveLength(13);
    expect(slices[0]).toEqual({ start: "2026-03-01T09:00:00.000Z", done: 7, failed: 1 });
    expect(slices[1]).toEqual({ start: "2026-03-01T09:00:10.000Z", done: 2, failed: 0 });
    expect(slices[12]).toEqual({ start: "2026-03-01T09:02:00.000Z", done: 4, failed: 0 });
    expect(slices.slice(2, 12).every((s) => s.done === 0 && s.failed === 0)).toBe(true);
  });

  it("gives a batch that ended at once one slice of a second", () => {
    expect(
      sliceThroughput("2026-03-01T09:00:00.000Z", "2026-03-01T09:00:00.000Z", [
        { at: "2026-03-01T09:00:00.000Z", done: 10, failed: 2 },
      ]),
    ).toEqual({ sliceSeconds: 1, slices: [{ start: "2026-03-01T09:00:00.000Z", done: 10, failed: 2 }] });
  });

  it("takes an hour's slices for a day-long batch, and counts a finish outside the span at its edge", () => {
    const { sliceSeconds, slices } = sliceThroughput("2026-03-01T00:00:00.000Z", "2026-03-01T23:30:00.000Z", [
      { at: "2026-02-28T23:59:59.000Z", done: 1, failed: 0 },
      { at: "2026-03-02T00:00:01.000Z", done: 0, failed: 1 },
    ]);
    expect([sliceSeconds, slices.length]).toEqual([3600, 24]);
    expect(slices[0]).toEqual({ start: "2026-03-01T00:00:00.000Z", done: 1, failed: 0 });
    expect(slices[23]).toEqual({ start: "2026-03-01T23:00:00.000Z", done: 0, failed: 1 });
  });

  it("never gives more than 24 slices, even beyond the longest round length", () => {
    const { slices } = sliceThroughput("2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z", []);
    expect(slices.length).toBeLessThanOrEqual(24);
  });
});

describe("the months from now", () => {
  it("starts at now in the current month and runs whole calendar months (UTC) across the year's end", () => {
    const months = monthsFrom(new Date("2026-11-15T10:30:00.000Z"), 3);
    expect(months).toEqual([
      { month: "2026-11", from: "2026-11-15T10:30:00.000Z", to: "2026-12-01T00:00:00.000Z" },
      { month: "2026-12", from: "2026-12-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z" },
      { month: "2027-01", from: "2027-01-01T00:00:00.000Z", to: "2027-02-01T00:00:00.000Z" },
    ]);
    expect(monthsFrom(new Date("2026-03-01T09:00:00.000Z"), 12).map((m) => m.month)).toEqual(
      monthsFromMarch2026,
    );
  });
});
