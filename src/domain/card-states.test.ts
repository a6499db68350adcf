import { describe, expect, it } from "vitest";
import { canTransition, cardStates, isFinalCardState } from "./card-states.js";
import { canCertificateTransition } from "./certificate-states.js";
import { processCatalog, processesAllowedInState } from "./process-catalog.js";

describe("card state model", () => {
  it("follows ARCHITECTURE.md's transitions exactly", () => {
    const allowed = cardStates.flatMap((from) =>
      cardStates.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "requested>approved",
        "requested>rejected",
        "requested>aborted",
        "approved>issued",
        "approved>active",
        "approved>failed",
        "approved>aborted",
        "failed>approved",
        // Issue 12: a leaver's failed card is aborted with their requests, never repeated.
        "failed>aborted",
        "issued>active",
        "issued>expired",
        // Issue 12: a leaver's card produced but not yet handed over is locked with the others.
        "issued>locked",
        "active>inactive",
        "active>locked",
        "active>expired",
        "inactive>active",
        "inactive>locked",
        "inactive>expired",
      ].sort(),
    );
    expect(cardStates.filter(isFinalCardState)).toEqual(["rejected", "aborted", "locked", "expired"]);
  });

  it("offers no process on a final card", () => {
    for (const state of cardStates.filter(isFinalCardState))
      expect(processesAllowedInState(state)).toEqual([]);
  });

  it("every card process starts from a state it can leave", () => {
    for (const process of processCatalog)
      for (const state of process.requiredCardStates)
        expect(isFinalCardState(state), process.symbolicName).toBe(false);
  });

  it("never brings a revoked certificate back", () => {
    expect(canCertificateTransition("revoked", "valid")).toBe(false);
    expect(canCertificateTransition("onHold", "valid")).toBe(true);
    expect(canCertificateTransition("valid", "onHold")).toBe(true);
  });
});
