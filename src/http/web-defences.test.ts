import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp, testPassword } from "../test-support/test-app.js";

/**
 * Issue 8, finding 10 (the web's small defences): HSTS behind https, a cross-site check on
 * state changes so SameSite is not the only CSRF defence, public routes that stay public for a
 * caller with a dead token.
 */
describe.each(dialects)("the web's small defences on %s", (dialect) => {
  let t: TestApp;
  let https: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    https = await createTestApp(dialect, { config: { publicUrl: "https://tessera.example.org" } });
  });
  afterAll(async () => {
    await t.close();
    await https.close();
  });

  it("sends HSTS when the public URL is https, and not over plain http", async () => {
    const secure = await https.server.inject({ method: "GET", url: "/healthz" });
    expect(secure.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    const api = await https.server.inject({ method: "GET", url: "/api/v1/cards" });
    expect(api.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    const plain = await t.server.inject({ method: "GET", url: "/healthz" });
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  });

  const login = (app: TestApp, headers: Record<string, string>) =>
    app.server.inject({
      method: "POST",
      url: "/api/v1/session",
      headers,
      payload: { username: "admin", password: testPassword },
    });

  it("refuses a cross-site state change (Origin or Sec-Fetch-Site) and changes nothing", async () => {
    const cookie = await https.login("admin");
    const bySite = await https.server.inject({
      method: "POST",
      url: "/api/v1/operators",
      headers: { cookie, "sec-fetch-site": "cross-site" },
      payload: { username: "csrf-one", roles: ["helpdesk"] },
    });
    expect([bySite.statusCode, bySite.json().error.code]).toEqual([403, "request.cross_site"]);
    const byOrigin = await https.server.inject({
      method: "PATCH",
      url: "/api/v1/options",
      headers: { cookie, origin: "https://evil.example" },
      payload: { pukDelivery: "print" },
    });
    expect([byOrigin.statusCode, byOrigin.json().error.code]).toEqual([403, "request.cross_site"]);
    const nullOrigin = await https.server.inject({
      method: "DELETE",
      url: "/api/v1/session",
      headers: { cookie, origin: "null" },
    });
    expect(nullOrigin.statusCode).toBe(403);
    // A form of this very site posted under Referrer-Policy: no-referrer carries Origin: null;
    // the browser's Sec-Fetch-Site says it is the site's own (the holder's /activate page).
    const ownForm = await https.server.inject({
      method: "POST",
      url: "/api/v1/options",
      headers: { cookie, origin: "null", "sec-fetch-site": "same-origin" },
    });
    expect(ownForm.json().error?.code).not.toBe("request.cross_site");
    const siblingForm = await https.server.inject({
      method: "POST",
      url: "/api/v1/options",
      headers: { cookie, origin: "null", "sec-fetch-site": "same-site" },
    });
    expect(siblingForm.json().error.code).toBe("request.cross_site");
    // Login CSRF: a cross-site page must not log the browser in as someone else.
    expect((await login(https, { origin: "https://evil.example" })).statusCode).toBe(403);

    const operators = (await apiAs(https.server, cookie)("GET", "/api/v1/operators")).body.items;
    expect(operators.some((o: { username: string }) => o.username === "csrf-one")).toBe(false);
    expect((await apiAs(https.server, cookie)("GET", "/api/v1/options")).body.pukDelivery).toBe("none");
    expect((await apiAs(https.server, cookie)("GET", "/api/v1/session")).status).toBe(200);
  });

  it("lets the UI's own origin, the request's own host, same-origin fetches and scripts through", async () => {
    expect((await login(https, { origin: "https://tessera.example.org" })).statusCode).toBe(200);
    expect(
      (await login(https, { origin: "https://tessera.example.org", "sec-fetch-site": "same-origin" }))
        .statusCode,
    ).toBe(200);
    // Reached by another name than the public URL (e.g. an internal address): its own host.
    expect((await login(https, { host: "10.0.0.5:3000", origin: "http://10.0.0.5:3000" })).statusCode).toBe(
      200,
    );
    expect((await login(t, { origin: "http://localhost:3000" })).statusCode).toBe(200);
    // curl and scripts send neither header.
    expect((await login(t, {})).statusCode).toBe(200);
    const token = (await apiAs(t.server, await t.login("admin"))("POST", "/api/v1/tokens", { name: "s" }))
      .body.token;
    const created = await apiAs(t.server, token)("POST", "/api/v1/operators", {
      username: "by-script",
      roles: ["helpdesk"],
    });
    expect(created.status).toBe(201);
    // Reads are not state changes: a cross-site GET is answered as usual (SameSite keeps the cookie away).
    const read = await t.server.inject({
      method: "GET",
      url: "/healthz",
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(read.statusCode).toBe(200);
  });

  it("OCSP over POST stays open to relying parties on any site", async () => {
    const r = await t.server.inject({
      method: "POST",
      url: "/pki/ocsp",
      headers: { "content-type": "application/ocsp-request", origin: "https://relying-party.example" },
      payload: Buffer.from([0x30, 0x00]),
    });
    expect(r.statusCode).not.toBe(403);
    expect(r.statusCode).toBeLessThan(500);
  });

  it("treats a revoked or unknown token on a public route as an anonymous caller", async () => {
    const admin = apiAs(t.server, await t.login("admin"));
    const created = (await admin("POST", "/api/v1/tokens", { name: "soon revoked" })).body;
    expect((await admin("DELETE", `/api/v1/tokens/${created.id}`)).status).toBe(204);
    for (const credential of [created.token, "tsr_unknown"]) {
      const caller = apiAs(t.server, credential);
      expect((await caller("GET", "/healthz")).status).toBe(200);
      const ca = await t.server.inject({
        method: "GET",
        url: "/pki/ca.pem",
        headers: { authorization: `Bearer ${credential}` },
      });
      expect(ca.statusCode).toBe(200);
      const crl = await t.server.inject({
        method: "GET",
        url: "/pki/crl",
        headers: { authorization: `Bearer ${credential}` },
      });
      expect(crl.statusCode).toBe(200);
      const loggedIn = await t.server.inject({
        method: "POST",
        url: "/api/v1/session",
        headers: { authorization: `Bearer ${credential}` },
        payload: { username: "admin", password: testPassword },
      });
      expect(loggedIn.statusCode).toBe(200);
      // A route that needs a login still says the token is not valid.
      const cards = await caller("GET", "/api/v1/cards");
      expect([cards.status, cards.body.error.code]).toEqual([401, "auth.invalid_token"]);
    }
    const odd = await t.server.inject({
      method: "GET",
      url: "/healthz",
      headers: { authorization: "Basic x" },
    });
    expect(odd.statusCode).toBe(200);
  });
});
