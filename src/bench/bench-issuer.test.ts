import { describe, expect, it } from "vitest";
import { benchCa } from "./bench-issuer.js";

describe("CA benchmark", () => {
  it("measures signing, issuance and a 100,000-entry CRL", async () => {
    const result = await benchCa({ seconds: 0.3 });
    expect(result.bareSignPerSecond).toBeGreaterThan(0);
    expect(result.issuePerSecond).toBeGreaterThan(0);
    expect(result.issueConcurrentPerSecond).toBeGreaterThan(0);
    expect(result.crlMsAt100k).toBeGreaterThan(0);
  });
});
