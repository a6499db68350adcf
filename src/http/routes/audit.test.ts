import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../../test-support/test-app.js";

describe.each(dialects)("the object history over HTTP on %s", (dialect) => {
  let t: TestApp;
  let auditor: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.operator("auditor", ["auditor"]);
    auditor = await t.login("auditor");
  });
  afterAll(() => t.close());

  it("stays verifiable after a refused request whose raw body holds a lone surrogate or a NUL (finding 1)", async () => {
    for (const payload of ['{"cardId":"\\ud800"}', '{"cardId":"a\\u0000b","reason":"lost"}']) {
      const response = await t.server.inject({
        method: "POST",
        url: "/api/v1/processes/CardsProcLock",
        headers: { "content-type": "application/json", cookie: auditor },
        payload,
      });
      expect([payload, response.statusCode]).toEqual([payload, expect.any(Number)]);
      expect(response.statusCode, payload).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, payload).toBeLessThan(500);
    }
    const verify = await apiAs(t.server, auditor)("POST", "/api/v1/audit/verify");
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ valid: true });
    expect(verify.body.firstBroken).toBeUndefined();
  });

  it("names the last checkpoint it confirmed in the verify answer", async () => {
    const { audit, store } = t.app.services;
    const checkpoint = await audit.writeCheckpoint(store.db, t.clock().toISOString());
    const verify = await apiAs(t.server, auditor)("POST", "/api/v1/audit/verify");
    expect(verify.body).toEqual({
      valid: true,
      entries: checkpoint!.entries,
      lastCheckpoint: { at: checkpoint!.at, entries: checkpoint!.entries },
    });
  });
});
