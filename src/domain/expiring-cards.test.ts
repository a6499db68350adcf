import { describe, expect, it } from "vitest";
import { expiryWindowsFrom } from "./expiring-cards.js";

describe("expiry windows", () => {
  it("end on the UTC day after today + 30, 60 and 90 days, whatever the hour", () => {
    const expected = [
      { days: 30, expiresBefore: "2027-01-31" },
      { days: 60, expiresBefore: "2027-03-02" },
      { days: 90, expiresBefore: "2027-04-01" },
    ];
    expect(expiryWindowsFrom(new Date("2026-12-31T00:00:00.000Z"))).toEqual(expected);
    expect(expiryWindowsFrom(new Date("2026-12-31T23:59:59.999Z"))).toEqual(expected);
  });

  it("count a leap day", () => {
    expect(expiryWindowsFrom(new Date("2028-02-01T12:00:00Z"))[0]).toEqual({
      days: 30,
      expiresBefore: "2028-03-03",
    });
  });
});
