import { beforeAll, describe, expect, it } from "vitest";
import { produceCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { monthsFromMarch2026 } from "../test-support/calendar.js";
import { dialects } from "../test-support/databases.js";
import { shortLivedTemplates } from "../test-support/templates.js";
import { apiAs } from "../test-support/test-app.js";

describe.each(dialects)("the pictures' reads over HTTP on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    templates: shortLivedTemplates,
    operators: ["registrar", "production", "issuer", "auditor"],
  });
  const { registrar, production, auditor } = suite.ops;
  let batchId: string;

  beforeAll(async () => {
    const { t, ops: operators } = suite;
    const short = await produceCardsForNewHolders(t, operators, {
      lastName: "Shorty",
      count: 3,
      template: "Short pass",
    });
    batchId = short.batchId;
    await produceCardsForNewHolders(t, operators, { lastName: "Middle", count: 1, template: "Medium pass" });
    await produceCardsForNewHolders(t, operators, { lastName: "Staffer", count: 1, template: "Employee ID" });
    // Activating a card makes its two certificates valid; the others stay on hold.
    const activated = await operators.issuer("POST", "/api/v1/processes/CardsProcActivate", {
      cardId: short.cardIds[0],
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  });

  it("counts the certificates in use ending in each of the 12 months from now, to any operator", async () => {
    const answer = await registrar("GET", "/api/v1/certificates/expiring-by-month");
    expect(answer.status).toBe(200);
    const empty = (month: string) => ({ month, valid: 0, onHold: 0, count: 0 });
    expect(answer.body).toEqual({
      at: "2026-03-01T09:00:00.000Z",
      months: [
        // Short pass: 3 cards × 2 certificates end on 2026-03-21; one card's pair is valid.
        { month: "2026-03", valid: 2, onHold: 4, count: 6 },
        // Medium pass: 1 card × 2 certificates end on 2026-04-20. Employee ID ends in 2029.
        { month: "2026-04", valid: 0, onHold: 2, count: 2 },
        ...monthsFromMarch2026.slice(2).map(empty),
      ],
    });
  });

  it("answers a batch's throughput in slices that total its done cards, to those who read batches", async () => {
    const batch = await production("GET", `/api/v1/batches/${batchId}`);
    const answer = await auditor("GET", `/api/v1/batches/${batchId}/throughput`);
    expect(answer.status).toBe(200);
    // The test clock stands still: the batch started and ended at one instant, one slice.
    expect(answer.body).toEqual({
      from: batch.body.createdAt,
      to: batch.body.finishedAt,
      sliceSeconds: 1,
      slices: [{ start: batch.body.createdAt, done: 3, failed: 0 }],
    });
    expect(batch.body.done).toBe(3);
  });

  it("refuses the throughput of an unknown batch, and to a role that does not read batches", async () => {
    const unknown = await production("GET", "/api/v1/batches/no-such-batch/throughput");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "batch.not_found"]);
    const refused = await registrar("GET", `/api/v1/batches/${batchId}/throughput`);
    expect([refused.status, refused.body.error.code]).toEqual([403, "auth.forbidden"]);
  });

  it("counts from the month of now as time goes by: ended certificates leave the picture", async () => {
    // Three weeks on (the sessions have expired meanwhile): the Short pass certificates have ended.
    suite.t.clock.advance(21 * 86_400_000);
    const later = await apiAs(suite.t.server, await suite.t.login("auditor"))(
      "GET",
      "/api/v1/certificates/expiring-by-month",
    );
    expect(later.body.at).toBe("2026-03-22T09:00:00.000Z");
    expect(later.body.months.slice(0, 2)).toEqual([
      { month: "2026-03", valid: 0, onHold: 0, count: 0 },
      { month: "2026-04", valid: 0, onHold: 2, count: 2 },
    ]);
    expect(later.body.months.at(-1).month).toBe("2027-02");
  });
});
