import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../domain/csv.js";
import { produceCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { shortLivedTemplates } from "../test-support/templates.js";

describe.each(dialects)("expiring cards over HTTP on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    templates: shortLivedTemplates,
    operators: ["registrar", "production", "issuer", "security", "auditor"],
  });
  const { registrar, auditor } = suite.ops;
  let short: string[];
  let medium: string[];

  beforeAll(async () => {
    const { t, ops: operators } = suite;
    const produce = (lastName: string, count: number, template: string, unit?: string) =>
      produceCardsForNewHolders(t, operators, {
        lastName,
        count,
        template,
        ...(unit && { organizationalUnit: () => unit }),
      });
    short = (await produce("Shorty", 2, "Short pass")).cardIds;
    medium = (await produce("Middle", 2, "Medium pass", "-Field sales")).cardIds;
    await produce("Longo", 1, "Long pass");
    await produce("Staffer", 1, "Employee ID");
    // An active card is still expiring; a locked one is not.
    for (const cardId of [short[0], medium[1]]) {
      const activated = await operators.issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId });
      expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    }
    const locked = await operators.security("POST", "/api/v1/processes/CardsProcLock", {
      cardId: medium[1],
      reason: "lost",
    });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
  });

  const day = 86_400_000;
  const fromNow = (days: number) => new Date(suite.t.clock().getTime() + days * day).toISOString();

  it("counts the cards in use per template within 30, 60 and 90 days, with each window's end", async () => {
    const answer = await auditor("GET", "/api/v1/cards/expiring");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      at: "2026-03-01T09:00:00.000Z",
      windows: [
        { days: 30, expiresBefore: "2026-04-01" },
        { days: 60, expiresBefore: "2026-05-01" },
        { days: 90, expiresBefore: "2026-05-31" },
      ],
      templates: [
        {
          template: "Long pass",
          expiring: [
            { days: 30, count: 0 },
            { days: 60, count: 0 },
            { days: 90, count: 1 },
          ],
        },
        {
          template: "Medium pass",
          expiring: [
            { days: 30, count: 0 },
            { days: 60, count: 1 },
            { days: 90, count: 1 },
          ],
        },
        {
          template: "Short pass",
          expiring: [
            { days: 30, count: 2 },
            { days: 60, count: 2 },
            { days: 90, count: 2 },
          ],
        },
      ],
    });
  });

  it("searches cards and users by expires before, a date or a date-time with an offset", async () => {
    const cards = await registrar("GET", "/api/v1/cards?expiresBefore=2026-04-30");
    expect(cards.status).toBe(200);
    expect([cards.body.total, cards.body.items.map((c: { id: string }) => c.id).sort()]).toEqual([
      3,
      [...short, medium[0]].sort(),
    ]);
    // 2026-03-21T09:00Z, the Short pass cards' end, written in another zone: not before itself.
    const atTheEnd = await registrar(
      "GET",
      `/api/v1/cards?expiresBefore=${encodeURIComponent("2026-03-21T11:00:00+02:00")}`,
    );
    expect(atTheEnd.body.total).toBe(0);
    const justAfter = await registrar(
      "GET",
      `/api/v1/cards?expiresBefore=${encodeURIComponent("2026-03-21T11:00:00.001+02:00")}`,
    );
    expect(justAfter.body.total).toBe(2);
    const users = await registrar("GET", `/api/v1/users?expiresBefore=${fromNow(60)}`);
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { lastName: string }) => u.lastName)).toEqual([
      "Middle",
      "Shorty",
      "Shorty",
    ]);
  });

  it("exports a search as CSV for a mail merge, formulas neutralised", async () => {
    const response = await suite.t.server.inject({
      url: "/api/v1/cards/export.csv?expiresBefore=2026-04-30&template=Medium%20pass",
      headers: { cookie: await suite.t.login("registrar") },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe('attachment; filename="cards-2026-03-01.csv"');
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const card = (await registrar("GET", `/api/v1/cards/${medium[0]}`)).body;
    expect(response.body).toBe(
      "\ufeff" +
        '"Card number","First name","Last name","Holder name","E-mail","Organizational unit","Card template","State","Expires at"\r\n' +
        `"${card.cardNumber}","Holder0","Middle","${card.holderName}","middle0@example.org","'-Field sales","Medium pass","issued","2026-04-20T09:00:00.000Z"\r\n`,
    );
    const all = await auditor("GET", "/api/v1/cards?limit=500");
    const exported = await suite.t.server.inject({
      url: "/api/v1/cards/export.csv",
      headers: { cookie: await suite.t.login("registrar") },
    });
    // Personal data in bulk: not for every operator, and each export is in the history.
    const refused = await suite.t.server.inject({
      url: "/api/v1/cards/export.csv",
      headers: { cookie: await suite.t.login("auditor") },
    });
    expect(refused.statusCode).toBe(403);
    const exports = await auditor("GET", "/api/v1/audit?action=cards.export&limit=10");
    expect(exports.body.items.length).toBeGreaterThanOrEqual(2);
    const parsed = parseCsv(exported.body);
    expect(parsed.ok && parsed.records.slice(1).map((r) => r.fields[0])).toEqual(
      all.body.items.map((c: { cardNumber: string }) => c.cardNumber),
    );
  });

  it.each([
    ["2026-02-30", "must be an ISO date"],
    ["tomorrow", "must be an ISO date"],
    ["2026-03-01T10:00:00", "must be an ISO date"],
    ["9999-12-31T23:59:59-14:00", "between the years 0000 and 9999"],
  ])("refuses expiresBefore=%s with a 400 naming the field", async (value, sentence) => {
    for (const url of ["/api/v1/cards", "/api/v1/users", "/api/v1/cards/export.csv"]) {
      const answer = await registrar("GET", `${url}?expiresBefore=${encodeURIComponent(value)}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("request.invalid");
      expect(answer.body.error.message).toContain("expiresBefore");
      expect(answer.body.error.message).toContain(sentence);
    }
  });

  it("documents expiresBefore in the OpenAPI document of both searches and the export", async () => {
    const doc = (
      await suite.t.server.inject({ url: "/api/docs", headers: { accept: "application/json" } })
    ).json();
    for (const path of ["/api/v1/cards", "/api/v1/users", "/api/v1/cards/export.csv"]) {
      const parameter = doc.paths[path].get.parameters.find(
        (p: { name: string }) => p.name === "expiresBefore",
      );
      expect(parameter, path).toMatchObject({ in: "query", required: false });
      expect(parameter.description, path).toMatch(/expires? before this instant/);
    }
    expect(doc.paths["/api/v1/cards/expiring"].get.responses["200"]).toBeDefined();
  });

  it("asks for a login", async () => {
    for (const url of ["/api/v1/cards/export.csv", "/api/v1/cards/expiring"]) {
      const answer = await suite.t.server.inject({ url });
      expect([answer.statusCode, answer.json().error.code]).toEqual([401, "auth.required"]);
    }
  });
});
