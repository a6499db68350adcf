import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../services/services.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { approvedCardAs, processSuite } from "../test-support/processes.js";

describe.each(dialects)("the card lifecycle on %s", (dialect) => {
  const suite = processSuite(dialect, { severalActiveCards: true });
  const { run } = suite;
  let requester: Actor;
  let userId: string;

  /**
   * A card as production leaves it, made the way production makes it: requested by another
   * operator, approved, then issued by a batch (issued, its two certificates on hold).
   */
  async function producedCard(): Promise<string> {
    const cardId = await approvedCardAs(suite.t, { requester, approver: suite.actor }, userId);
    await suite.produce([cardId]);
    return cardId;
  }
  const states = async (cardId: string) =>
    (await findCertificatesOfCard(suite.db, cardId)).map((c) => `${c.state}:${c.revocationReason ?? "-"}`);

  beforeAll(async () => {
    requester = await suite.t.operator("requester", ["registrationOfficer"]);
    userId = await suite.createUser({ firstName: "Lia", lastName: "Life" });
  });

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
    await suite.db.updateTable("cards").set({ state: "locked" }).where("user_id", "=", userId).execute();
    const first = await producedCard();
    const second = await producedCard();
    await run("CardsProcActivate", { cardId: first });
    await run("UsersProcCreate", {
      firstName: "X",
      lastName: "Y",
      email: "x@example.org",
      identifier: "LIFE-X",
    });
    const admin = await suite.t.login("admin");
    await suite.t.server.inject({
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
    const history = await suite.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_type", "=", "certificate")
      .execute();
    expect(new Set(history.map((h) => h.action))).toEqual(
      new Set(["certificate.hold", "certificate.release", "certificate.revoke"]),
    );
    expect(await suite.t.app.services.audit.verify(suite.db)).toMatchObject({ valid: true });
  });
});
