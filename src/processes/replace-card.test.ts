import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SymbolicName } from "../domain/process-catalog.js";
import { roles } from "../domain/roles.js";
import type { Actor } from "../services/services.js";
import { findCardById, findCardsOfUser } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { createUserAs } from "../test-support/processes.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { runProcess } from "./registry.js";

/**
 * Issue 12, "Changes": a change to what a card shows offers "replace card", a successor requested
 * as in renewal. Under the default options (one card per holder) the replacement was refused
 * with card.too_many_active — the card it replaces counted against it — and it named no
 * predecessor, so activating it locked nothing.
 */
describe.each(dialects)("Request card replacing a card on %s", (dialect) => {
  let t: TestApp;
  let actor: Actor;
  let api: ReturnType<typeof apiAs>;
  let userId: string;
  let other: string;
  let active: string;
  let othersCard: string;

  const run = (name: SymbolicName, body: Record<string, unknown>) =>
    runProcess(t.app.services, actor, name, body);
  const card = async (id: string) => (await findCardById(t.app.services.store.db, id))!;
  const request = (body: Record<string, unknown>) => api("POST", "/api/v1/processes/CardsProcRequest", body);
  const produce = async (cardIds: string[], cardEndState: "issued" | "active") => {
    await run("CardsBoProcIssueMultiple", {
      cardIds,
      options: { cardEndState, certificateEndState: cardEndState === "active" ? "valid" : "onHold" },
    });
    t.app.runner.start();
    await t.app.runner.idle();
  };
  const newCard = async (holder: string) => {
    const { result } = await run("CardsProcRequest", { userId: holder, template: "Employee ID" });
    return (result as { card: { id: string } }).card.id;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    actor = await t.operator("all", [...roles]);
    await t.operator("registrar", ["registrationOfficer"]);
    api = apiAs(t.server, await t.login("registrar"));
    userId = await createUserAs(t, actor, { firstName: "Eva", lastName: "Lind" });
    other = await createUserAs(t, actor, { firstName: "Olle", lastName: "Berg" });
    active = await newCard(userId);
    othersCard = await newCard(other);
    await produce([active, othersCard], "active");
  });
  afterAll(() => t.close());

  it("requests a successor of the card a change made out of date, though the holder may have one card", async () => {
    const { version } = (await api("GET", `/api/v1/users/${userId}`)).body.user;
    const edited = await api("POST", "/api/v1/processes/UsersProcEdit", {
      userId,
      version,
      lastName: "Lind-Ek",
    });
    expect(edited.body.cardsToReplace.map((c: { id: string }) => c.id)).toEqual([active]);
    const replaced = await request({ userId, template: "Employee ID", replaces: active });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.card).toMatchObject({ userId, template: "Employee ID", predecessorId: active });
  });

  it("refuses a second replacement, another holder's card, another template and a card not in use; nothing requested", async () => {
    const before = (await findCardsOfUser(t.app.services.store.db, userId)).length;
    const twice = await request({ userId, template: "Employee ID", replaces: active });
    expect([twice.status, twice.body.error.code]).toEqual([409, "card.already_renewed"]);
    const foreign = await request({ userId, template: "Employee ID", replaces: othersCard });
    expect([foreign.status, foreign.body.error.code]).toEqual([400, "request.invalid"]);
    expect(foreign.body.error.details.field).toBe("replaces");
    const template = await request({ userId: other, template: "Contractor badge", replaces: othersCard });
    expect([template.status, template.body.error.code]).toEqual([400, "request.invalid"]);
    expect(template.body.error.details.field).toBe("template");
    const unknown = await request({ userId, template: "Employee ID", replaces: "no-such-card" });
    expect(unknown.status).toBe(404);
    const third = await createUserAs(t, actor, { firstName: "Pia", lastName: "Sund" });
    const waiting = await newCard(third);
    const notInUse = await request({ userId: third, template: "Employee ID", replaces: waiting });
    expect([notInUse.status, notInUse.body.error.code]).toEqual([409, "card.state_not_allowed"]);
    expect((await findCardsOfUser(t.app.services.store.db, userId)).length).toBe(before);
  });

  it("gives one card one replacement when two are requested at once", async () => {
    const holder = await createUserAs(t, actor, { firstName: "Rut", lastName: "Dahl" });
    const cardId = await newCard(holder);
    await produce([cardId], "active");
    const answers = await Promise.all(
      [1, 2].map(() => request({ userId: holder, template: "Employee ID", replaces: cardId })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe("card.already_renewed");
    const successors = (await findCardsOfUser(t.app.services.store.db, holder)).filter(
      (c) => c.predecessorId === cardId,
    );
    expect(successors).toHaveLength(1);
  });

  it("locks the replaced card superseded when its successor becomes active", async () => {
    const successor = (await findCardsOfUser(t.app.services.store.db, userId)).find(
      (c) => c.predecessorId === active,
    )!;
    await produce([successor.id], "active");
    expect((await card(successor.id)).state).toBe("active");
    expect(await card(active)).toMatchObject({ state: "locked", reason: "superseded" });
    for (const certificate of await findCertificatesOfCard(t.app.services.store.db, active))
      expect([certificate.state, certificate.revocationReason]).toEqual(["revoked", "superseded"]);
  });
});
