/**
 * "Select all N matching", then untick some (issue 13, finding 4): a batch order names its cards
 * by the search's criteria less the cards the operator unticked (`filter` + `excludedCardIds`),
 * and takes exactly the others. The claim is what is checked: the runner runs only to make
 * cards to activate.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { requestCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";

describe.each(dialects)("a batch order of all matching cards but some on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    operators: ["registrar", "production", "issuer"],
  });
  const { production, issuer } = suite.ops;
  let unitA: string[];
  let unitB: string[];

  const order = (body: unknown) => production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", body);
  /** The batch each card is held by (null: none), and its state. */
  const holdings = async (ids: string[]) =>
    new Map(
      (
        await suite.t.app.services.store.db
          .selectFrom("cards")
          .select(["id", "state", "batch_id"])
          .where("id", "in", ids)
          .execute()
      ).map((c) => [c.id, { state: c.state, batchId: c.batch_id }]),
    );

  beforeAll(async () => {
    const cardIds = await requestCardsForNewHolders(suite.ops.registrar, {
      lastName: "Matching",
      count: 9,
      template: "Employee ID",
      organizationalUnit: (i) => (i < 6 ? "Unit A" : "Unit B"),
    });
    unitA = cardIds.slice(0, 6);
    unitB = cardIds.slice(6);
  });

  it("refuses excludedCardIds without a filter, and changes nothing", async () => {
    const refused = await order({ cardIds: unitA, excludedCardIds: [unitA[0]] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("request.invalid");
    expect(refused.body.error.message).toContain("excludedCardIds goes with filter");
    const tooMany = await order({
      filter: { organizationalUnit: "Unit A" },
      excludedCardIds: Array.from({ length: 200_001 }, (_, i) => `x${i}`),
    });
    expect(tooMany.status).toBe(400);
    for (const card of (await holdings([...unitA, ...unitB])).values())
      expect(card).toEqual({ state: "approved", batchId: null });
  });

  it("refuses a selection whose every matching card was unticked, and changes nothing", async () => {
    const refused = await order({ filter: { organizationalUnit: "Unit B" }, excludedCardIds: unitB });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: "batch.empty_selection",
      message: "Every card the search matches was unticked.",
    });
    for (const card of (await holdings(unitB)).values())
      expect(card).toEqual({ state: "approved", batchId: null });
  });

  it("takes every card the filter matches but the unticked ones", async () => {
    const unticked = [unitA[1]!, unitA[4]!];
    const ordered = await order({ filter: { organizationalUnit: "Unit A" }, excludedCardIds: unticked });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(202);
    expect(ordered.body).toMatchObject({ claimed: 4, skipped: [] });
    const { batchId } = ordered.body;
    const cards = await holdings([...unitA, ...unitB]);
    const heldBy = (id: string) => cards.get(id)!.batchId;
    expect(unitA.filter((id) => heldBy(id) === batchId)).toEqual(
      unitA.filter((id) => !unticked.includes(id)),
    );
    for (const id of [...unticked, ...unitB]) expect(heldBy(id)).toBeNull();
    const batch = await production("GET", `/api/v1/batches/${batchId}`);
    expect(batch.body).toMatchObject({ state: "running", total: 4 });
    expect(batch.body.items.map((item: { cardId: string }) => item.cardId).sort()).toEqual(
      unitA.filter((id) => !unticked.includes(id)).sort(),
    );
  });

  // Unit A's four ordered cards are held by the batch above, still running: "Select all N
  // matching" must count only what an order of the search takes.
  it("counts for Select all only the cards no running batch holds, which an order then takes", async () => {
    const search = (extra: string) =>
      production("GET", `/api/v1/cards?state=approved&organizationalUnit=Unit%20A&total=exact${extra}`);
    expect((await search("")).body.total).toBe(6);
    const takeable = await search("&unclaimed=true");
    expect(takeable.body.total).toBe(2);
    const unticked = [unitA[1]!, unitA[4]!];
    expect(takeable.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...unticked].sort());
    expect((await search("&unclaimed=yes")).status).toBe(400);
    const ordered = await order({ filter: { organizationalUnit: "Unit A" } });
    expect(ordered.body).toMatchObject({ claimed: takeable.body.total });
  });

  it("leaves out an unticked card in Activate multiple cards too", async () => {
    // Unit B's three cards, produced, wait for activation: activate two of them by the search.
    const produced = await order({ cardIds: unitB });
    suite.t.app.runner.start();
    await suite.t.app.runner.idle();
    await suite.t.app.runner.stop();
    expect((await production("GET", `/api/v1/batches/${produced.body.batchId}`)).body.state).toBe(
      "completed",
    );
    const activated = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", {
      filter: { organizationalUnit: "Unit B" },
      excludedCardIds: [unitB[2]],
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(202);
    expect(activated.body.claimed).toBe(2);
    const cards = await holdings(unitB);
    expect(cards.get(unitB[0]!)!.batchId).toBe(activated.body.batchId);
    expect(cards.get(unitB[1]!)!.batchId).toBe(activated.body.batchId);
    expect(cards.get(unitB[2]!)).toEqual({ state: "issued", batchId: null });
  });
});
