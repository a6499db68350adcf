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
  let cardIds: string[];

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    await t.operator("issuer", ["issuingAuthority"]);
    const clients = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
    production = clients.production;
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
});
