import { describe, expect, it } from "vitest";
import { defaultProcessOptions, mergeProcessOptions, processOptionsPatchSchema } from "./process-options.js";

describe("process options", () => {
  it("changes only the options a patch sends (regression: defaults once reset the others)", () => {
    const current = mergeProcessOptions(defaultProcessOptions, { approvalStep: false, pukDelivery: "print" });
    const patch = processOptionsPatchSchema.parse({ severalActiveCards: true });
    expect(patch).toEqual({ severalActiveCards: true });
    expect(mergeProcessOptions(current, patch)).toMatchObject({
      approvalStep: false,
      pukDelivery: "print",
      severalActiveCards: true,
    });
  });

  it("refuses unknown options and bad values", () => {
    expect(processOptionsPatchSchema.safeParse({ approval: false }).success).toBe(false);
    expect(processOptionsPatchSchema.safeParse({ pinLength: { default: 3 } }).success).toBe(false);
  });
});
