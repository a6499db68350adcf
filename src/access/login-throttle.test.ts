import { describe, expect, it } from "vitest";
import { delayAfter, throttleAddressOf } from "./login-throttle.js";

describe("login throttle rules", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    // An IPv6 client holds a whole /64: each of its addresses counts as the one /64.
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ])("counts %s as %s", (ip, counted) => {
    expect(throttleAddressOf(ip)).toBe(counted);
  });

  it("waits nothing while failures are free, then doubles up to the cap", () => {
    const rule = { freeFailures: 3, firstDelaySeconds: 1, maxDelaySeconds: 900 };
    expect([0, 1, 2, 3, 4, 5, 12, 13, 100, 10_000].map((f) => delayAfter(f, rule) / 1000)).toEqual([
      0, 0, 0, 1, 2, 4, 512, 900, 900, 900,
    ]);
  });
});
