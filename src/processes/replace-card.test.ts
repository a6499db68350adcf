import { beforeAll, describe, expect, it } from "vitest";
import { findProcess } from "../domain/process-catalog.js";
import { findCardById, findCardsOfUser } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { transact } from "../store/database.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { processSuite } from "../test-support/processes.js";
import { findTemplate, requestCards } from "./cards/cards-proc-request.js";

/**
 * Issue 12, "Changes": a change to what a card shows offers "replace card", a successor requested
 * as in renewal. Under the default options (one card per holder) the replacement was refused
 * with card.too_many_active — the card it replaces counted against it — and it named no
 * predecessor, so activating it locked nothing.
 */
describe.each(dialects)("Request card replacing a card on %s", (dialect) => {
  const suite = processSuite(dialect, { approvalStep: false });
  const { run, createUser } = suite;
  let api: ApiClient;
  let userId: string;
  let other: string;
  let active: string;
  let othersCard: string;

  const card = async (id: string) => (await findCardById(suite.db, id))!;
  const request = (body: Record<string, unknown>) => api("POST", "/api/v1/processes/CardsProcRequest", body);
  const produceActive = (cardIds: string[]) =>
    suite.produce(cardIds, { cardEndState: "active", certificateEndState: "valid" });
  const newCard = async (holder: string) => {
    const { result } = await run("CardsProcRequest", { userId: holder, template: "Employee ID" });
    return (result as { card: { id: string } }).card.id;
  };

  beforeAll(async () => {
    ({ registrar: api } = await loggedInOperators(suite.t, { registrar: ["registrationOfficer"] }));
    userId = await createUser({ firstName: "Eva", lastName: "Lind" });
    other = await createUser({ firstName: "Olle", lastName: "Berg" });
    active = await newCard(userId);
    othersCard = await newCard(other);
    await produceActive([active, othersCard]);
  });

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
    const before = (await findCardsOfUser(suite.db, userId)).length;
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
    const third = await createUser({ firstName: "Pia", lastName: "Sund" });
    const waiting = await newCard(third);
    const notInUse = await request({ userId: third, template: "Employee ID", replaces: waiting });
    expect([notInUse.status, notInUse.body.error.code]).toEqual([409, "card.state_not_allowed"]);
    expect((await findCardsOfUser(suite.db, userId)).length).toBe(before);
  });

  it("does not count a replaced card that ended meanwhile against its holder (a lock committed first)", async () => {
    // The replaced card was checked in use, then locked by another operator before the count:
    // the holder has no live card, so the successor is requested, not refused "already has a card".
    const holder = await createUser({ firstName: "Siv", lastName: "Ek" });
    const cardId = await newCard(holder);
    await produceActive([cardId]);
    await run("CardsProcLock", { cardId, reason: "lost" });
    const replacing = await card(cardId);
    expect(replacing.state).toBe("locked");
    const { services } = suite.t.app;
    const { cards, errors } = await transact(services.store, (trx) =>
      requestCards(
        services,
        trx,
        suite.actor,
        findProcess("CardsProcRequest"),
        [holder],
        findTemplate(services, "Employee ID"),
        replacing,
      ),
    );
    expect(errors).toEqual([]);
    expect(cards.map((c) => c.predecessorId)).toEqual([cardId]);
  });

  it("gives one card one replacement when two are requested at once", async () => {
    const holder = await createUser({ firstName: "Rut", lastName: "Dahl" });
    const cardId = await newCard(holder);
    await produceActive([cardId]);
    const answers = await Promise.all(
      [1, 2].map(() => request({ userId: holder, template: "Employee ID", replaces: cardId })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe("card.already_renewed");
    const successors = (await findCardsOfUser(suite.db, holder)).filter((c) => c.predecessorId === cardId);
    expect(successors).toHaveLength(1);
  });

  it("locks the replaced card superseded when its successor becomes active", async () => {
    const successor = (await findCardsOfUser(suite.db, userId)).find((c) => c.predecessorId === active)!;
    await produceActive([successor.id]);
    expect((await card(successor.id)).state).toBe("active");
    expect(await card(active)).toMatchObject({ state: "locked", reason: "superseded" });
    for (const certificate of await findCertificatesOfCard(suite.db, active))
      expect([certificate.state, certificate.revocationReason]).toEqual(["revoked", "superseded"]);
  });
});
