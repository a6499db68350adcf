import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../services/services.js";
import { findCardsOfUser } from "../store/cards.js";
import { dialects } from "../test-support/databases.js";
import { createUserAs } from "../test-support/processes.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { runProcess } from "./registry.js";

/**
 * A leaver's cards end with the leaver, whatever else happens at the same moment: a card
 * requested while the holder is deactivated is refused or aborted, never left live, and no card
 * of an inactive holder becomes active. (Found by trying two operators at once: on PostgreSQL
 * the request's card outlived the deactivation every time, and went on to be activated.)
 */
describe.each(dialects)("a holder's cards and their deactivation at the same moment on %s", (dialect) => {
  let t: TestApp;
  let registrar: Actor;
  let colleague: Actor;
  let issuer: Actor;

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { severalActiveCards: true, approvalStep: false } });
    registrar = await t.operator("registrar", ["registrationOfficer"]);
    colleague = await t.operator("colleague", ["registrationOfficer"]);
    issuer = await t.operator("issuer", ["issuingAuthority", "productionAdministrator"]);
  });
  afterAll(() => t.close());

  it("never leaves a card requested at the moment of the deactivation live", async () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const userId = await createUserAs(t, registrar, {
        firstName: `Race${attempt}`,
        lastName: "Leaver",
        identifier: `RACE-${attempt}`,
      });
      const [request, deactivation] = await Promise.allSettled([
        runProcess(t.app.services, colleague, "CardsProcRequest", { userId, template: "Employee ID" }),
        runProcess(t.app.services, registrar, "UsersProcDeactivate", { userId, reason: "left" }),
      ]);
      expect(deactivation.status, `attempt ${attempt}`).toBe("fulfilled");
      // Either the request came first and its card was aborted with the holder, or it came
      // second and was refused: the holder was no longer active.
      const cards = await findCardsOfUser(t.app.services.store.db, userId);
      if (request.status === "rejected") {
        expect(request.reason).toMatchObject({ code: "user.inactive" });
        expect(cards).toEqual([]);
      } else expect(cards.map((card) => card.state)).toEqual(["aborted"]);
    }
  });

  it("refuses to make a card of an inactive holder active", async () => {
    const userId = await createUserAs(t, registrar, { firstName: "Gone", lastName: "Holder" });
    const { result } = await runProcess(t.app.services, registrar, "CardsProcRequest", {
      userId,
      template: "Employee ID",
    });
    const cardId = (result as { card: { id: string } }).card.id;
    await runProcess(t.app.services, issuer, "CardsBoProcIssueMultiple", { cardIds: [cardId] });
    t.app.runner.start();
    await t.app.runner.idle();
    // The holder left by a way around the processes (as a race before this fix could leave it).
    await t.app.services.store.db
      .updateTable("users")
      .set({ state: "inactive" })
      .where("id", "=", userId)
      .execute();
    await expect(runProcess(t.app.services, issuer, "CardsProcActivate", { cardId })).rejects.toMatchObject({
      code: "user.inactive",
    });
    expect((await findCardsOfUser(t.app.services.store.db, userId)).map((card) => card.state)).toEqual([
      "issued",
    ]);
  });
});
