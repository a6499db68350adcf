import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBatchItems } from "../store/batch-items.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

const cursorOf = (json: string) => Buffer.from(json).toString("base64url");

/** RFC 6960 §4.2.1: OCSPResponse { responseStatus malformedRequest (1) }, no responseBytes. */
const malformedRequest = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]);

describe.each(dialects)("what clients encode is decoded with a 4xx for anything broken, on %s", (dialect) => {
  let t: TestApp;
  let admin: ReturnType<typeof apiAs>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = apiAs(t.server, await t.login("admin"));
    // Something to page through, so a good cursor exists.
    await t.operator("auditor", ["auditor"]);
  });
  afterAll(() => t.close());

  const brokenCursors = [
    cursorOf('["abc"]'),
    cursorOf("[1.5]"),
    cursorOf("[-1]"),
    cursorOf("[1e400]"),
    cursorOf("[9007199254740993]"),
    // Past a batch item's `integer` column: PostgreSQL refused the comparison, a 500.
    cursorOf("[2147483648]"),
    cursorOf("[null]"),
    cursorOf("[[1]]"),
    cursorOf('[{"a":1}]'),
    cursorOf("[]"),
    cursorOf("[1,2]"),
    cursorOf('["a","b","c"]'),
    cursorOf('[1,"x"]'),
    cursorOf('["a\\u0000","x"]'),
    cursorOf('["\\ud800","x"]'),
    cursorOf(`["${"a".repeat(300)}","x"]`),
    cursorOf("null"),
    cursorOf("{}"),
    cursorOf("not json"),
    "***",
    "%%%",
    "",
  ];

  it.each(["/api/v1/audit", "/api/v1/users", "/api/v1/cards", "/api/v1/certificates", "/api/v1/batches"])(
    "refuses a damaged or forged cursor with request.invalid_cursor on %s",
    async (list) => {
      // An empty cursor is the first page.
      for (const cursor of brokenCursors.filter(Boolean)) {
        const r = await admin("GET", `${list}?cursor=${encodeURIComponent(cursor)}`);
        expect({ cursor, status: r.status, code: r.body.error?.code }).toEqual({
          cursor,
          status: 400,
          code: "request.invalid_cursor",
        });
      }
    },
  );

  it("refuses a damaged cursor for a batch's items", async () => {
    for (const cursor of brokenCursors.filter(Boolean)) {
      await expect(
        findBatchItems(t.app.services.store.db, "no-such-batch", {}, { cursor, limit: 10 }),
      ).rejects.toMatchObject({ code: "request.invalid_cursor", status: 400 });
    }
  });

  it("still pages with the cursors it hands out", async () => {
    const first = await admin("GET", "/api/v1/audit?limit=1");
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await admin("GET", `/api/v1/audit?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].seq).toBeLessThan(first.body.items[0].seq);
  });

  it.each(["/api/v1/users/%zz", "/api/v1/cards/a%2", "/api/v1/audit%"])(
    "answers an unreadable address (a %% that starts no escape) in the API's error shape: %s",
    async (url) => {
      const r = await admin("GET", url);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("request.invalid_url");
    },
  );

  it("answers a too long address in the API's error shape", async () => {
    const long = await admin("GET", `/api/v1/users/${"x".repeat(5000)}`);
    expect([long.status, long.body.error.code]).toEqual([414, "request.url_too_long"]);
  });

  it.each(["%25zz", "%zz", "%E0%A4%A", "%00", "%ED%A0%80", "a%2", "!!!!", "MA%3D%3D%3D", "%25"])(
    "answers a malformed GET OCSP path (%s) with an OCSP malformedRequest, never a 500",
    async (path) => {
      const response = await t.server.inject({ method: "GET", url: `/pki/ocsp/${path}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/ocsp-response");
      expect(Buffer.from(response.rawPayload)).toEqual(malformedRequest);
    },
  );
});
