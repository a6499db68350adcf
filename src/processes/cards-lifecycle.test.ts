import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SymbolicName } from "../domain/process-catalog.js";
import { roles } from "../domain/roles.js";
import type { Actor } from "../services/services.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { approvedCardAs, createUserAs } from "../test-support/processes.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { runProcess } from "./registry.js";

describe.each(dialects)("the card lifecycle on %s", (dialect) => {
  let t: TestApp;
  let actor: Actor;
  let requester: Actor;
  let userId: string;

  /**
   * A card as production leaves it, made the way production makes it: requested by another
   * operator, approved, then issued by a batch (issued, its two certificates on hold).
   */
  async function producedCard(): Promise<string> {
    const cardId = await approvedCardAs(t, { requester, approver: actor }, userId);
    await run("CardsBoProcIssueMultiple", { cardIds: [cardId] });
    await t.app.runner.idle();
    return cardId;
  }
  const states = async (cardId: string) =>
    (await findCertificatesOfCard(t.app.services.store.db, cardId)).map(
      (c) => `${c.state}:${c.revocationReason ?? "-"}`,
    );
  const run = (name: SymbolicName, body: Record<string, unknown>) =>
    runProcess(t.app.services, actor, name, body);

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { severalActiveCards: true } });
    actor = await t.operator("all", [...roles]);
    requester = await t.operator("requester", ["registrationOfficer"]);
    t.app.runner.start();
    userId = await createUserAs(t, actor, { firstName: "Lia", lastName: "Life" });
  });
  afterAll(() => t.close());

  it("activates (holds released), deactivates (held), reactivates, and locks (revoked with the reason)", async () => {
    const cardId = await producedCard();
    expect(await states(cardId)).toEqual(["onHold:certificateHold", "onHold:certificateHold"]);
    await run("CardsProcActivate", { cardId });
    expect(await states(cardId)).toEqual(["valid:-", "valid:-"]);
    await run("CardsProcDeactivate", { cardId, reason: "on leave" });
    expect(await states(cardId)).toEqual(["onHold:certificateHold", "onHold:certificateHold"]);
    await run("CardsProcReactivate", { cardId });
    expect(await states(cardId)).toEqual(["valid:-", "valid:-"]);
    const { result } = await run("CardsProcLock", { cardId, reason: "stolen" });
    expect((result as { card: { state: string; allowedProcesses: string[] } }).card).toMatchObject({
      state: "locked",
      allowedProcesses: [],
    });
    expect(await states(cardId)).toEqual(["revoked:keyCompromise", "revoked:keyCompromise"]);
  });

  it("locks an inactive card for a holder who left with cessationOfOperation", async () => {
    const cardId = await producedCard();
    await run("CardsProcActivate", { cardId });
    await run("CardsProcDeactivate", { cardId });
    await run("CardsProcLock", { cardId, reason: "left" });
    expect(await states(cardId)).toEqual(["revoked:cessationOfOperation", "revoked:cessationOfOperation"]);
  });

  it("refuses a second active card when several are not allowed, and changes nothing", async () => {
    await t.app.services.store.db
      .updateTable("cards")
      .set({ state: "locked" })
      .where("user_id", "=", userId)
      .execute();
    const first = await producedCard();
    const second = await producedCard();
    await run("CardsProcActivate", { cardId: first });
    await runProcess(t.app.services, actor, "UsersProcCreate", {
      firstName: "X",
      lastName: "Y",
      email: "x@example.org",
      identifier: "LIFE-X",
    });
    const admin = await t.login("admin");
    await t.server.inject({
      method: "PATCH",
      url: "/api/v1/options",
      headers: { cookie: admin },
      payload: { severalActiveCards: false },
    });
    await expect(run("CardsProcActivate", { cardId: second })).rejects.toMatchObject({
      code: "card.too_many_active",
    });
    expect(await states(second)).toEqual(["onHold:certificateHold", "onHold:certificateHold"]);
    await run("CardsProcDeactivate", { cardId: first });
    await run("CardsProcActivate", { cardId: second });
    await expect(run("CardsProcReactivate", { cardId: first })).rejects.toMatchObject({
      code: "card.too_many_active",
    });
  });

  it("records every certificate change with the card in the object history", async () => {
    const history = await t.app.services.store.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_type", "=", "certificate")
      .execute();
    expect(new Set(history.map((h) => h.action))).toEqual(
      new Set(["certificate.hold", "certificate.release", "certificate.revoke"]),
    );
    expect(await t.app.services.audit.verify(t.app.services.store.db)).toMatchObject({ valid: true });
  });
});
