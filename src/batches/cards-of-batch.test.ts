import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Finding 10 of issue 8, last item: a produced card's `batchId` is cleared, so
 * `GET /api/v1/cards?batchId=` found nothing once the batch had finished. It now finds every
 * card the batch took; the card read keeps `batchId` for "held by this running batch" and adds
 * `lastBatchId` for the batch that last took it.
 */
describe.each(dialects)("the cards a batch took on %s", (dialect) => {
  let t: TestApp;
  let production: ApiClient;
  let registrar: ApiClient;
  let cardIds: string[];

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    await t.operator("issuer", ["issuingAuthority"]);
    const clients = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
    production = clients.production;
    registrar = clients.registrar;
    cardIds = await requestCardsForNewHolders(clients.registrar, {
      lastName: "Batchmate",
      count: 5,
      template: "Contractor badge",
    });
  });
  afterAll(() => t.close());

  it("finds the cards of a running batch and of a finished one, and each card names its last batch", async () => {
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: cardIds.slice(0, 3),
    });
    const { batchId } = order.body;
    const running = await production("GET", `/api/v1/cards?batchId=${batchId}`);
    expect(running.body.total).toBe(3);
    expect(running.body.items.map((c: { batchId: string }) => c.batchId)).toEqual([
      batchId,
      batchId,
      batchId,
    ]);

    t.app.runner.start();
    await t.app.runner.idle();
    const finished = await production("GET", `/api/v1/cards?batchId=${batchId}`);
    expect(finished.body.total).toBe(3);
    expect(new Set(finished.body.items.map((c: { id: string }) => c.id))).toEqual(
      new Set(cardIds.slice(0, 3)),
    );
    for (const card of finished.body.items)
      expect(card).toMatchObject({ state: "issued", batchId: null, lastBatchId: batchId });
    // Filters combine: the batch's issued cards, and none of another state.
    expect((await production("GET", `/api/v1/cards?batchId=${batchId}&state=issued`)).body.total).toBe(3);
    expect((await production("GET", `/api/v1/cards?batchId=${batchId}&state=approved`)).body.total).toBe(0);
    const read = await production("GET", `/api/v1/cards/${cardIds[0]}`);
    expect(read.body).toMatchObject({ batchId: null, lastBatchId: batchId });
    const untouched = await production("GET", `/api/v1/cards/${cardIds[4]}`);
    expect(untouched.body).toMatchObject({ batchId: null, lastBatchId: null });

    // A later batch (activation) takes the card too: both batches find it, the card names the later one.
    const issuer = apiAs(t.server, await t.login("issuer"));
    const activation = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", {
      cardIds: [cardIds[0]],
    });
    await t.app.runner.idle();
    expect((await production("GET", `/api/v1/cards?batchId=${activation.body.batchId}`)).body.total).toBe(1);
    expect((await production("GET", `/api/v1/cards?batchId=${batchId}`)).body.total).toBe(3);
    expect((await production("GET", `/api/v1/cards/${cardIds[0]}`)).body).toMatchObject({
      state: "active",
      lastBatchId: activation.body.batchId,
    });
    expect((await production("GET", "/api/v1/cards?batchId=nope")).body).toMatchObject({
      total: 0,
      items: [],
    });
  });

  /**
   * Issue 13, finding 3: batches were known by id fragments only. Each has a short number, in the
   * order made; a card's reads name the number of its batch (the running one, else the last).
   */
  it("numbers batches 1, 2, 3 … and names a card's batch by its number", async () => {
    const batches = (await production("GET", "/api/v1/batches?limit=50")).body.items as {
      id: string;
      number: number;
    }[];
    const numbers = batches.map((b) => b.number).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    await t.app.runner.stop();
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardIds[3]],
    });
    const batch = (await production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch.number).toBe(numbers.length + 1);
    // While the batch holds the card, and after it has finished with it.
    const held = await production("GET", `/api/v1/cards?batchId=${batch.id}`);
    expect(held.body.items[0]).toMatchObject({ batchId: batch.id, batchNumber: batch.number });
    // A refusal names the batch as the operator knows it.
    const abort = await registrar("POST", "/api/v1/processes/CardsProcAbortRequest", { cardId: cardIds[3] });
    expect(abort.body.error).toMatchObject({
      code: "card.claimed",
      message: `Card ${held.body.items[0].cardNumber} is held by batch ${batch.number}; cancel the batch first.`,
    });
    t.app.runner.start();
    await t.app.runner.idle();
    expect((await production("GET", `/api/v1/cards/${cardIds[3]}`)).body).toMatchObject({
      batchId: null,
      lastBatchId: batch.id,
      batchNumber: batch.number,
    });
    const listed = await production("GET", `/api/v1/cards?batchId=${batch.id}`);
    expect(listed.body.items[0]).toMatchObject({ lastBatchId: batch.id, batchNumber: batch.number });
    expect((await production("GET", `/api/v1/cards/${cardIds[4]}`)).body.batchNumber).toBeNull();
  });

  it("names cards, batches and users by number and name in the history and the certificate search", async () => {
    await t.operator("auditor", ["auditor"]);
    const auditor = apiAs(t.server, await t.login("auditor"));
    const card = (await production("GET", `/api/v1/cards/${cardIds[0]}`)).body;
    const batch = (await production("GET", `/api/v1/batches/${card.lastBatchId}`)).body;
    const user = (await production("GET", `/api/v1/users/${card.userId}`)).body.user;
    const nameIn = async (objectType: string, objectId: string) =>
      (await auditor("GET", `/api/v1/audit?objectType=${objectType}&objectId=${objectId}&limit=1`)).body
        .items[0]?.objectName;
    expect(await nameIn("card", card.id)).toBe(card.cardNumber);
    expect(await nameIn("batch", batch.id)).toBe(`Batch ${batch.number}`);
    expect(await nameIn("user", user.id)).toBe(`${user.firstName} ${user.lastName}`);
    const certificates = (await production("GET", `/api/v1/certificates?card=${card.id}`)).body.items;
    expect(certificates.length).toBeGreaterThan(0);
    for (const certificate of certificates) expect(certificate.cardNumber).toBe(card.cardNumber);
  });
});
