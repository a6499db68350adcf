import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/** Sends a raw JSON text, so lone surrogates and NUL escapes reach the server as a client wrote them. */
async function postRaw(t: TestApp, url: string, json: string, cookie?: string) {
  const response = await t.server.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json", ...(cookie && { cookie }) },
    payload: json,
  });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

/** Every key and string in a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
}

/** The oracle: the language's own well-formedness check (ES2024), and no NUL. */
const isWellFormedWithoutNul = (s: string) =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed() && !s.includes("\0");

describe.each(dialects)("text is well-formed Unicode without NUL, checked at the edge, on %s", (dialect) => {
  let t: TestApp;
  let admin: ReturnType<typeof apiAs>;
  let adminCookie: string;
  let auditorCookie: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.operator("auditor", ["auditor"]);
    await t.operator("registrar", ["registrationOfficer"]);
    adminCookie = await t.login("admin");
    auditorCookie = await t.login("auditor");
    admin = apiAs(t.server, adminCookie);
  });
  afterAll(() => t.close());

  it("refuses a NUL in the anonymous login body with 400, naming the field", async () => {
    const r = await postRaw(t, "/api/v1/session", '{"username":"ad\\u0000min","password":"x"}');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("request.invalid_text");
    expect(r.body.error.details.field).toBe("body.username");
  });

  it.each(["/api/v1/users?q=a%00b", "/api/v1/cards?q=a%00b", "/api/v1/certificates?q=a%00b"])(
    "refuses a NUL in a query string (%s) with 400",
    async (url) => {
      const r = await admin("GET", url);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "request.invalid_text", details: { field: "query.q" } });
    },
  );

  it.each([
    ["GET", "/api/v1/users/a%00b"],
    ["GET", "/api/v1/cards/a%00b"],
    ["GET", "/api/v1/certificates/a%00b"],
    ["GET", "/api/v1/batches/a%00b"],
    ["PATCH", "/api/v1/operators/a%00b"],
  ] as const)("refuses a NUL in a path id (%s %s) with 400", async (method, url) => {
    const r = await admin(method, url, method === "PATCH" ? {} : undefined);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("request.invalid_text");
    expect(r.body.error.details.field).toMatch(/^params\./);
  });

  it("refuses a lone surrogate and a NUL in a process body, in values and in keys, before the process runs", async () => {
    const before = await admin("GET", "/api/v1/audit?limit=500");
    for (const json of [
      '{"cardId":"\\ud800","reason":"lost"}',
      '{"cardId":"x","reason":"lost\\u0000"}',
      '{"cardId":"x","reason":"lost","\\udfff":1}',
      '{"cardId":"x","reason":"lost","nested":[{"a":["\\ud83d"]}]}',
    ]) {
      const r = await postRaw(t, "/api/v1/processes/CardsProcLock", json, auditorCookie);
      expect([json, r.status, r.body.error.code]).toEqual([json, 400, "request.invalid_text"]);
    }
    // A well-formed pair (an emoji) is text like any other: the auditor is refused for its role.
    const emoji = await postRaw(
      t,
      "/api/v1/processes/CardsProcLock",
      '{"cardId":"\\ud83d\\ude00","reason":"lost"}',
      auditorCookie,
    );
    expect(emoji.body.error.code).toBe("auth.forbidden");
    const after = await admin("GET", "/api/v1/audit?limit=500");
    // Each text refusal of a process is recorded (without the offending text), and the chain still holds.
    const added = after.body.items.slice(0, after.body.total - before.body.total);
    expect(
      added.filter((e: { details: { code: string } }) => e.details.code === "request.invalid_text"),
    ).toHaveLength(4);
    for (const entry of added) expect(stringsIn(entry).every(isWellFormedWithoutNul)).toBe(true);
    expect((await admin("POST", "/api/v1/audit/verify")).body.valid).toBe(true);
  });

  it("refuses a lone surrogate in a user's name and creates nothing", async () => {
    const registrar = await t.login("registrar");
    const r = await postRaw(
      t,
      "/api/v1/processes/UsersProcCreate",
      '{"firstName":"\\udc00","lastName":"X","email":"x@example.org","identifier":"ID-SURR"}',
      registrar,
    );
    expect([r.status, r.body.error.code, r.body.error.details.field]).toEqual([
      400,
      "request.invalid_text",
      "body.firstName",
    ]);
    expect((await admin("GET", "/api/v1/users?q=ID-SURR")).body.total).toBe(0);
  });
});
