import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produceBatch, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Found attacking issue 8: a download of a card's secrets is a change (a token's downloads are
 * counted, every download is recorded as the operator's, and a fetched half of a batch's
 * secrets bars that operator from the other), but it is a GET, which the cross-site check let
 * through. A page on a sibling subdomain (same site: SameSite=Strict sends the cookie) could
 * embed `<img src=…/cards/ID/token>`: the one allowed download of the token was spent and
 * recorded as the operator's, without the operator knowing.
 */
describe.each(dialects)("downloads asked for by another site's page on %s", (dialect) => {
  let t: TestApp;
  let cardIds: string[];
  let batchId: string;
  let production: string;
  let mailer: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      options: { approvalStep: false },
      config: { publicUrl: "https://tessera.office.example" },
    });
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("production", ["productionAdministrator"]);
    await t.operator("mailer", ["pinMailer"]);
    await t.operator("auditor", ["auditor"]);
    production = await t.login("production");
    mailer = await t.login("mailer");
    const registrar = apiAs(t.server, await t.login("registrar"));
    cardIds = await requestCardsForNewHolders(registrar, {
      lastName: "Sitewise",
      count: 2,
      template: "Employee ID",
    });
    batchId = await produceBatch(t, apiAs(t.server, production), cardIds);
  });
  afterAll(() => t.close());

  const get = (cookie: string, url: string, site?: string) =>
    t.server.inject({ url, headers: { cookie, ...(site && { "sec-fetch-site": site }) } });

  it("refuses a download another site's page asks for, and spends and records nothing", async () => {
    for (const site of ["same-site", "cross-site"]) {
      for (const [cookie, url] of [
        [production, `/api/v1/cards/${cardIds[0]}/token`],
        [production, `/api/v1/batches/${batchId}/print-file`],
        [mailer, `/api/v1/batches/${batchId}/pin-letters`],
      ] as const) {
        const answer = await get(cookie, url, site);
        const code = answer.statusCode >= 400 ? answer.json().error.code : "downloaded";
        expect([url, site, answer.statusCode, code]).toEqual([url, site, 403, "request.cross_site"]);
      }
    }
    const auditor = apiAs(t.server, await t.login("auditor"));
    const downloads = (await auditor("GET", "/api/v1/audit?limit=200")).body.items.filter(
      (e: { action: string }) =>
        e.action.startsWith("card.download") || e.action.startsWith("batch.download"),
    );
    expect(downloads).toEqual([]);

    // The operator's own pages, an address typed in, and scripts still get them: once for the token.
    const own = await get(production, `/api/v1/cards/${cardIds[0]}/token`, "same-origin");
    expect([own.statusCode, own.headers["content-type"]]).toEqual([200, "application/x-pkcs12"]);
    expect((await get(production, `/api/v1/cards/${cardIds[1]}/token`, "none")).statusCode).toBe(200);
    expect((await get(mailer, `/api/v1/batches/${batchId}/pin-letters`)).statusCode).toBe(200);
    expect((await get(production, `/api/v1/batches/${batchId}/print-file`, "same-origin")).statusCode).toBe(
      200,
    );
  });
});
