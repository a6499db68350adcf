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

  it("refuses a damaged or forged cursor with request.invalid_cursor on every list", async () => {
    for (const list of [
      "/api/v1/audit",
      "/api/v1/users",
      "/api/v1/cards",
      "/api/v1/certificates",
      "/api/v1/batches",
    ]) {
      for (const cursor of brokenCursors) {
        if (cursor === "") continue; // an empty cursor is the first page
        const r = await admin("GET", `${list}?cursor=${encodeURIComponent(cursor)}`);
        expect([list, cursor, r.status, r.body.error?.code]).toEqual([
          list,
          cursor,
          400,
          "request.invalid_cursor",
        ]);
      }
    }
  });

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

  it("answers an unreadable address (a % that starts no escape, a too long id) in the API's error shape", async () => {
    for (const url of ["/api/v1/users/%zz", "/api/v1/cards/a%2", "/api/v1/audit%"]) {
      const r = await admin("GET", url);
      expect([url, r.status, r.body.error.code]).toEqual([url, 400, "request.invalid_url"]);
    }
    const long = await admin("GET", `/api/v1/users/${"x".repeat(5000)}`);
    expect([long.status, long.body.error.code]).toEqual([414, "request.url_too_long"]);
  });

  it("answers a malformed GET OCSP path with an OCSP malformedRequest, never a 500", async () => {
    for (const path of [
      "%25zz",
      "%zz",
      "%E0%A4%A",
      "%00",
      "%ED%A0%80",
      "a%2",
      "!!!!",
      "MA%3D%3D%3D",
      "%25",
    ]) {
      const response = await t.server.inject({ method: "GET", url: `/pki/ocsp/${path}` });
      expect([path, response.statusCode, response.headers["content-type"]]).toEqual([
        path,
        200,
        "application/ocsp-response",
      ]);
      expect(Buffer.from(response.rawPayload)).toEqual(malformedRequest);
    }
  });
});
