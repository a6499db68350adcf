import { beforeAll, describe, expect, it } from "vitest";
import { isErrorCode } from "../domain/errors.js";
import type { Actor } from "../services/services.js";
import { findHistoryOf } from "../store/audit-log.js";
import { findCardById, findCardsOfUser } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { processSuite } from "../test-support/processes.js";
import { apiAs } from "../test-support/test-app.js";

const day = 86_400_000;

describe.each(dialects)("Renew multiple cards on %s", (dialect) => {
  const suite = processSuite(dialect);
  const { run, produce } = suite;
  let registrar: Actor;
  let api: ReturnType<typeof apiAs>;
  const holders: string[] = [];
  const cards: string[] = [];

  const card = async (id: string) => (await findCardById(suite.db, id))!;
  const allCards = async () => (await Promise.all(holders.map((h) => findCardsOfUser(suite.db, h)))).flat();
  const renew = (cardIds: string[]) => api("POST", "/api/v1/processes/CardsBoProcRenewMultiple", { cardIds });

  beforeAll(async () => {
    registrar = await suite.t.operator("registrar", ["registrationOfficer"]);
    api = apiAs(suite.t.server, await suite.t.login("registrar"));
    for (const name of ["Ada", "Ben", "Cai"]) {
      const userId = await suite.createUser({ firstName: name, lastName: `Renewal${name}` });
      holders.push(userId);
      const { result } = await run("CardsProcRequest", { userId, template: "Employee ID" }, registrar);
      const cardId = (result as { card: { id: string } }).card.id;
      await run("CardsProcApprove", { cardId, decision: "approve" });
      cards.push(cardId);
    }
    await produce(cards);
    await run("CardsProcActivate", { cardId: cards[0] });
    await run("CardsProcActivate", { cardId: cards[1] });
  });

  it("refuses cards far from their end, and requests nothing", async () => {
    const before = await allCards();
    const { status, body } = await renew(cards);
    expect(status).toBe(409);
    expect(body.error.code).toBe("card.not_renewable");
    expect(body.error.details.cards.map((c: { code: string }) => c.code)).toEqual([
      "card.not_near_expiry",
      "card.not_near_expiry",
      "card.not_near_expiry",
    ]);
    // Each card's code is one the API documents.
    for (const card of body.error.details.cards) expect(isErrorCode(card.code), card.code).toBe(true);
    expect(await allCards()).toEqual(before);
  });

  it("refuses bad selections with a 4xx", async () => {
    expect((await renew([])).status).toBe(400);
    const unknown = await renew(["no-such-card"]);
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.details.cards[0].code).toBe("card.not_found");
  });

  it("requests a successor for the same holder and template for each card near its end", async () => {
    const end = Date.parse((await card(cards[0]!)).expiresAt!);
    suite.t.clock.advance(end - 30 * day - suite.t.clock().getTime());
    // Years later: the session of before has ended.
    api = apiAs(suite.t.server, await suite.t.login("registrar"));
    const { status, body } = await renew(cards);
    expect(status).toBe(200);
    expect(body.cards).toHaveLength(3);
    for (const successor of body.cards) {
      const predecessor = await card(successor.predecessorId);
      expect(cards).toContain(predecessor.id);
      expect(successor).toMatchObject({
        state: "requested",
        template: predecessor.template,
        userId: predecessor.userId,
      });
      expect(successor.cardNumber).not.toBe(predecessor.cardNumber);
    }
    const history = await findHistoryOf(suite.db, "card", cards[0]!);
    expect(history.at(-1)).toMatchObject({ action: "CardsBoProcRenewMultiple" });
    const read = await api("GET", `/api/v1/cards/${cards[0]}`);
    const successorId = body.cards.find((c: { predecessorId: string }) => c.predecessorId === cards[0]).id;
    expect(read.body.successorId).toBe(successorId);
  });

  it("refuses a card renewed already, and changes nothing", async () => {
    const before = await allCards();
    const { status, body } = await renew([cards[0]!]);
    expect(status).toBe(409);
    expect(body.error.details.cards[0].code).toBe("card.already_renewed");
    // A successor is a request, not a card in use: it is not renewed.
    const successor = before.find((c) => c.predecessorId === cards[0])!;
    const again = await renew([successor.id]);
    expect(again.body.error.details.cards[0].code).toBe("card.state_not_allowed");
    expect(await allCards()).toEqual(before);
  });

  it("locks the predecessor superseded when its successor becomes active, by activation or by production", async () => {
    const successorOf = async (id: string) => (await allCards()).find((c) => c.predecessorId === id)!;
    const [first, second] = [await successorOf(cards[0]!), await successorOf(cards[1]!)];
    for (const s of [first, second]) await run("CardsProcApprove", { cardId: s.id, decision: "approve" });
    await produce([first.id]);
    await run("CardsProcActivate", { cardId: first.id });
    // Several active cards per holder are not allowed here: the successor is let through only
    // because its predecessor is locked in the same transaction.
    await produce([second.id], { cardEndState: "active", certificateEndState: "valid" });
    for (const [predecessorId, successor] of [
      [cards[0]!, first],
      [cards[1]!, second],
    ] as const) {
      expect(await card(successor.id)).toMatchObject({ state: "active" });
      expect(await card(predecessorId)).toMatchObject({ state: "locked", reason: "superseded" });
      const certificates = await findCertificatesOfCard(suite.db, predecessorId);
      expect(certificates.map((c) => `${c.state}:${c.revocationReason}`)).toEqual([
        "revoked:superseded",
        "revoked:superseded",
      ]);
      const lock = (await findHistoryOf(suite.db, "card", predecessorId)).at(-1);
      expect(lock).toMatchObject({
        action: "CardsProcLock",
        details: { to: "locked", lockReason: "superseded", supersededBy: successor.id },
      });
    }
  });
});
