import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCatalog } from "../domain/errors.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * `/api/docs` (issue 13, first run): scripts keep getting the OpenAPI document there; a browser
 * is sent to a viewer served by Tessera itself, under the same strict CSP (no inline script).
 */
describe("the API description", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("sqlite");
  });
  afterAll(() => t.close());

  it("answers the OpenAPI 3.1 document to a script", async () => {
    const response = await t.server.inject({ url: "/api/docs", headers: { accept: "*/*" } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ openapi: "3.1.0", info: { title: "Tessera API" } });
  });

  it("sends a browser to the viewer, which loads only its own scripts, without logging in", async () => {
    const asked = await t.server.inject({
      url: "/api/docs",
      headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
    });
    expect([asked.statusCode, asked.headers.location]).toEqual([302, "/api/docs/ui/"]);

    const page = await t.server.inject({ url: "/api/docs/ui/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      // An inline script would be blocked by the CSP: every script is a file of ours.
      expect(body!.trim()).toBe("");
      const src = /src="\.\/([^"]+)"/.exec(attributes!)?.[1];
      const file = await t.server.inject({ url: `/api/docs/ui/${src}` });
      expect([src, file.statusCode]).toEqual([src, 200]);
      expect(file.headers["content-type"]).toMatch(/javascript/);
    }
    const document = await t.server.inject({ url: "/api/docs/ui/json" });
    expect(document.json()).toMatchObject({ openapi: "3.1.0" });
  });

  it("lists every code of the error catalog in its error table, with its status and sentence", async () => {
    const document = (await t.server.inject({ url: "/api/docs", headers: { accept: "*/*" } })).json();
    const rows = [
      ...(document.info.description as string).matchAll(/^\| `([^`]+)` \| (\d{3}) \| (.+) \|$/gm),
    ].map(([, code, status, message]) => ({ code, status: Number(status), message }));
    const catalog = Object.entries(errorCatalog).map(([code, { status, message }]) => ({
      code,
      status,
      message,
    }));
    expect(rows).toEqual(catalog);
    // The codes every library of Tessera throws are in it: production, PKI, DER, CLI, configuration.
    for (const code of [
      "production.photo_invalid",
      "ca.key_mismatch",
      "der.malformed",
      "cli.usage",
      "config.invalid",
    ])
      expect(rows.map((row) => row.code)).toContain(code);
  });

  it("describes /metrics and who may read it", async () => {
    const document = (await t.server.inject({ url: "/api/docs", headers: { accept: "*/*" } })).json();
    expect(document.paths["/metrics"].get.description).toMatch(/administrator or an auditor/);
  });
});
