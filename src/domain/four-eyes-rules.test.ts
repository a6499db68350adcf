import { describe, expect, it } from "vitest";
import { isAdministratorTakeover, needsSecondAdministrator, weakenedOptionRules } from "./four-eyes-rules.js";
import { defaultProcessOptions, type ProcessOptions } from "./process-options.js";

const fixedIssuedOnHold: ProcessOptions = {
  ...defaultProcessOptions,
  cardEndState: { operatorMayChoose: false, default: "issued" },
  certificateEndState: { operatorMayChoose: false, default: "onHold" },
};

describe("four-eyes rules over the process options", () => {
  it("switching the approval step off weakens it; on, or untouched, does not", () => {
    const off = { ...defaultProcessOptions, approvalStep: false };
    expect(weakenedOptionRules(defaultProcessOptions, off)).toEqual(["approvalStep"]);
    expect(weakenedOptionRules(off, defaultProcessOptions)).toEqual([]);
    expect(weakenedOptionRules(off, { ...off, pukDelivery: "print" })).toEqual([]);
    expect(
      weakenedOptionRules(defaultProcessOptions, {
        ...defaultProcessOptions,
        pinLength: { operatorMayChoose: false, default: 8 },
      }),
    ).toEqual([]);
  });

  it("letting batches skip activation weakens the activation step, once it was enforced", () => {
    expect(
      weakenedOptionRules(fixedIssuedOnHold, {
        ...fixedIssuedOnHold,
        cardEndState: { operatorMayChoose: true, default: "issued" },
      }),
    ).toEqual(["activationStep"]);
    expect(
      weakenedOptionRules(fixedIssuedOnHold, {
        ...fixedIssuedOnHold,
        certificateEndState: { operatorMayChoose: false, default: "valid" },
      }),
    ).toEqual(["activationStep"]);
    // Enforcing it, or a deployment that never enforced it, weakens nothing.
    expect(weakenedOptionRules(defaultProcessOptions, fixedIssuedOnHold)).toEqual([]);
    expect(
      weakenedOptionRules(defaultProcessOptions, {
        ...defaultProcessOptions,
        cardEndState: { operatorMayChoose: true, default: "active" },
        certificateEndState: { operatorMayChoose: true, default: "valid" },
      }),
    ).toEqual([]);
    expect(
      weakenedOptionRules(fixedIssuedOnHold, { ...fixedIssuedOnHold, approvalStep: false }).sort(),
    ).toEqual(["approvalStep"]);
  });
});

describe("a new enabled administrator", () => {
  const admin = { roles: ["administrator"] as const, disabled: false };
  const approver = { roles: ["approver"] as const, disabled: false };
  it("needs a second administrator once two are enabled", () => {
    expect(needsSecondAdministrator(undefined, admin, 2)).toBe(true);
    expect(
      needsSecondAdministrator(approver, { roles: ["approver", "administrator"], disabled: false }, 3),
    ).toBe(true);
    // Re-enabling a disabled administrator makes one too.
    expect(needsSecondAdministrator({ ...admin, disabled: true }, admin, 2)).toBe(true);
  });
  it("applies at once with a single administrator, and for anything that makes no new administrator", () => {
    expect(needsSecondAdministrator(undefined, admin, 1)).toBe(false);
    expect(needsSecondAdministrator(undefined, approver, 5)).toBe(false);
    expect(needsSecondAdministrator(admin, { ...admin, disabled: true }, 5)).toBe(false);
    expect(needsSecondAdministrator(admin, admin, 5)).toBe(false);
  });
});

describe("setting an administrator's password", () => {
  const admin = { roles: ["administrator"] as const, disabled: false };
  const other = { setsPassword: true, bySelf: false };
  it("is a takeover when someone else sets an administrator's password, once two are enabled", () => {
    expect(isAdministratorTakeover(admin, other, 2)).toBe(true);
    expect(isAdministratorTakeover(admin, other, 1)).toBe(false);
    expect(isAdministratorTakeover(admin, { setsPassword: true, bySelf: true }, 3)).toBe(false);
    expect(isAdministratorTakeover(admin, { setsPassword: false, bySelf: false }, 3)).toBe(false);
    expect(isAdministratorTakeover({ roles: ["helpdesk"], disabled: false }, other, 3)).toBe(false);
    // A disabled administrator too: enabling it again would hand the proposer a second one.
    expect(isAdministratorTakeover({ ...admin, disabled: true }, other, 3)).toBe(true);
  });
});
