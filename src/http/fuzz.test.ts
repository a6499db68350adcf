import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processCatalog } from "../domain/process-catalog.js";
import { type Role, roles } from "../domain/roles.js";
import { processHandlers } from "../processes/registry.js";
import { createSampleJpeg, createSamplePng } from "../production/sample-photos.js";
import { dialects } from "../test-support/databases.js";
import { type DeclaredRoute, recordRoutes } from "../test-support/declared-routes.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * The property-based fuzz test of issue 8: requests generated from the route table (every
 * route the real server declares, read as it is registered) and the process bodies, with
 * hostile values — lone surrogates, NUL, huge strings, deep and huge objects and arrays, wrong
 * types, bad cursors, prototype keys — sent by every kind of caller. It holds that no answer
 * is a 5xx, that no refused (4xx) request changes a domain table, and that the object history
 * still verifies afterwards. A fixed seed and TESSERA_FUZZ_RUNS requests per database (2,000
 * by default; more for a longer hunt, e.g. TESSERA_FUZZ_RUNS=50000).
 */
const runs = Number(process.env.TESSERA_FUZZ_RUNS ?? 2000);
const seed = Number(process.env.TESSERA_FUZZ_SEED ?? 20260308);

/**
 * The keys of a zod object (through unions, pipes, optionals and intersections): the route's
 * schemas name them, for bodies and query strings that look real.
 */
function keysOf(schema: unknown): string[] {
  const s = schema as {
    shape?: Record<string, unknown>;
    options?: unknown[];
    _zod?: { def?: { in?: unknown; innerType?: unknown; left?: unknown; right?: unknown } };
  } | null;
  if (!s || typeof s !== "object") return [];
  if (s.shape) return Object.keys(s.shape);
  if (Array.isArray(s.options)) return [...new Set(s.options.flatMap(keysOf))];
  const def = s._zod?.def;
  if (def?.in) return keysOf(def.in);
  if (def?.innerType) return keysOf(def.innerType);
  if (def?.left) return [...keysOf(def.left), ...keysOf(def.right)];
  return [];
}

/** One generated request. `body` is raw JSON text (or not JSON at all), so anything can be sent. */
interface FuzzRequest {
  caller: number;
  method: string;
  url: string;
  body?: string;
  contentType?: string;
}

/** Tables whose rows are the office's state; the log, sessions and login throttle are left out. */
const domainTables = [
  "users",
  "cards",
  "certificates",
  "operators",
  "api_tokens",
  "card_tokens",
  "process_options",
  "pending_changes",
  "card_templates",
  "batches",
  "batch_items",
] as const;
/** Bookkeeping of use, not state: a token's last use is written when it authenticates. */
const ignoredColumns = new Set(["last_used_at"]);

// ---- values -------------------------------------------------------------------------------

const surrogatesAndNul = [
  "\ud800",
  "\udfff",
  "a\ud800b",
  "\udc00\ud800",
  "x\ud83d",
  "\u0000",
  "a\u0000b",
  "\u0000\ud800",
];
const awkwardText = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "-1",
  "0",
  "1e309",
  "NaN",
  "null",
  "true",
  "../../etc/passwd",
  "' OR '1'='1",
  "\\u0000",
  "%00",
  "\uffff",
  "\ufeffa",
  "😀",
  "Åsa Öberg",
  "a".repeat(65),
  "Ω".repeat(300),
  "2026-02-30",
  "2026-03-01T09:00:00Z",
  "9999-12-31T23:59:59.999Z",
];

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value) ?? "null").toString("base64url");
const badCursors = [
  cursorOf(["abc"]),
  cursorOf([1.5]),
  cursorOf([-1]),
  cursorOf([1e300]),
  cursorOf([null, null]),
  cursorOf(["\u0000", "x"]),
  cursorOf(["\ud800", "x"]),
  cursorOf([{}]),
  cursorOf([[1], "x"]),
  cursorOf([1, 2, 3]),
  cursorOf("x"),
  cursorOf({ __proto__: 1 }),
  "not a cursor",
  "%%%",
  "AAAA",
];

/** Percent-encodings a UTF-8 encoder never makes: CESU surrogates, overlong NUL, broken escapes. */
const rawEncodings = [
  "%ED%A0%80",
  "%ED%BF%BF",
  "%C0%80",
  "%00",
  "%",
  "%zz",
  "%E0%A4%A",
  "%FF",
  "%2F",
  "%25",
  "..",
  ".",
];

const hugeTexts = ["x".repeat(200_000), "\u0000".repeat(20_000), "é\ud800".repeat(20_000)];

/** Bodies too big or too deep for any schema, as JSON text made once. */
const hugeBodies = [
  JSON.stringify(Array.from({ length: 60_000 }, (_, i) => i)),
  JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))),
  JSON.stringify({ cardId: "x".repeat(1_000_000), userIds: Array.from({ length: 20_000 }, () => "\ud800") }),
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`,
  `{"csv":${JSON.stringify("a".repeat(3 * 1024 * 1024))}}`,
];

/** Text for a JSON value, with the hostile cases weighted up. */
function textArbitrary(pool: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...surrogatesAndNul), weight: 3 },
    { arbitrary: fc.constantFrom(...awkwardText), weight: 3 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }), weight: 2 },
    { arbitrary: fc.constantFrom(...pool), weight: 4 },
    { arbitrary: fc.constantFrom(...hugeTexts), weight: 1 },
  );
}

const numberArbitrary = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 4, 6, 8, 12, 16, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5),
);

/** A JSON value of any shape: scalars, arrays, objects with prototype keys, a little nesting. */
function jsonArbitrary(pool: string[]): fc.Arbitrary<unknown> {
  const text = textArbitrary(pool);
  const key = fc.oneof(
    { arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString"), weight: 1 },
    { arbitrary: text, weight: 3 },
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      text,
      numberArbitrary,
      fc.boolean(),
      fc.constant(null),
      tie("array"),
      tie("object"),
    ),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  }));
  return value;
}

/** Raw bodies: prototype keys, escapes written by hand, repeated keys, and text that is not JSON. */
const rawBodies = [
  `{"__proto__":{"polluted":true}}`,
  `{"constructor":{"prototype":{"polluted":true}}}`,
  `{"cardId":"\\ud800","reason":"lost"}`,
  `{"username":"ad\\u0000min","password":"x"}`,
  `{"a":1,"a":2}`,
  "1e999",
  "-0",
  '"just a string"',
  "null",
  "[]",
  "",
  "{",
  "{'single':'quotes'}",
  "\u0000",
  '{"x":"\\uZZZZ"}',
];

// ---- the test -----------------------------------------------------------------------------

describe.each(dialects)("fuzzing every route, body, query and path on %s", (dialect) => {
  let t: TestApp;
  const { routes, hooks } = recordRoutes();
  const credentials: { name: string; credential: string | undefined }[] = [];
  const pool: Record<string, string[]> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect, { hooks });

    // Every kind of caller: anonymous, one operator per role, the first administrator by
    // session and by token, and tokens that are not valid.
    credentials.push({ name: "anonymous", credential: undefined });
    for (const role of roles) {
      await t.operator(`fuzz-${role.toLowerCase()}`, [role as Role]);
      credentials.push({ name: role, credential: await t.login(`fuzz-${role.toLowerCase()}`) });
    }
    const adminCookie = await t.login("admin");
    credentials.push({ name: "admin", credential: adminCookie });
    const admin = apiAs(t.server, adminCookie);
    const token = await admin("POST", "/api/v1/tokens", { name: "fuzz" });
    credentials.push({ name: "admin token", credential: token.body.token });
    credentials.push({ name: "bad token", credential: "not-a-token" });
    credentials.push({ name: "bad token text", credential: "%00%ED%A0%80\u00ff" });
    credentials.push({ name: "bad session cookie", credential: "tessera_session=a%00b%ED%A0%80" });

    // Objects to aim at, so that generated requests reach real rows and not only 404s.
    const registrar = apiAs(t.server, credentials.find((c) => c.name === "registrationOfficer")!.credential);
    const approver = apiAs(t.server, credentials.find((c) => c.name === "approver")!.credential);
    const userIds: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
        firstName: "Fuzz",
        lastName: `Target ${n}`,
        email: `fuzz${n}@example.org`,
        identifier: `FUZZ-${n}`,
        ...(n === 1 && { photo: createSamplePng(30, 40).toString("base64") }),
      });
      expect(r.status).toBe(200);
      userIds.push(r.body.user.id);
    }
    const templates = t.app.config.templates.map((tpl) => tpl.name);
    const cardIds: string[] = [];
    for (const userId of userIds) {
      const r = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId,
        template: templates[0],
      });
      expect(r.status).toBe(200);
      cardIds.push(r.body.card.id);
    }
    await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: cardIds[1],
      decision: "reject",
      reason: "fuzz",
    });
    // One produced card: a batch with its files, a software token and certificates to aim at.
    // The runner stops again, so nothing changes behind the fuzzer's back.
    await approver("POST", "/api/v1/processes/CardsProcApprove", { cardId: cardIds[0], decision: "approve" });
    const production = apiAs(
      t.server,
      credentials.find((c) => c.name === "productionAdministrator")!.credential,
    );
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardIds[0]],
    });
    expect(order.status).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    await t.app.runner.stop();
    const produced = await production("GET", `/api/v1/cards/${cardIds[0]}`);
    expect(produced.body.state).toBe("issued");
    const serials = produced.body.certificates.map((c: { serial: string }) => c.serial) as string[];
    const victim = await t.operator("fuzz-victim", ["helpdesk"]);
    pool.id = [...userIds, ...cardIds, victim.id, order.body.batchId, ...serials, "00", "no-such-id"];
    pool.serial = serials;
    pool.batchId = [order.body.batchId];
    pool.cardId = cardIds;
    pool.userId = userIds;
    pool.template = templates;
    pool.decision = ["approve", "reject", "postpone"];
    pool.reason = ["lost", "stolen", "damaged", "left", "because"];
    pool.state = ["requested", "approved", "issued", "active", "valid", "onHold", "running", "completed"];
    pool.cursor = badCursors;
    pool.username = ["admin", "fuzz-victim", "nobody"];
    pool.newPin = ["1234", "123456", "12345678901234567890"];
    pool.csv = [
      "firstName,lastName,email,identifier\nAnn,Lee,ann@example.org,FUZZ-CSV-1\n",
      "firstName,lastName,email,identifier\n\u0000,\ud800,x,y\n",
      `firstName,lastName,email,identifier\n${"a,".repeat(3000)}\n`,
      'firstName\n"unclosed',
      "",
    ];
    const sample = createSampleJpeg();
    pool.photo = [
      sample.toString("base64"),
      sample.subarray(0, 100).toString("base64"),
      Buffer.concat([sample.subarray(0, 4), Buffer.alloc(200, 7)]).toString("base64"),
      "not base64!",
    ];
  });
  afterAll(() => t.close());

  /** A hash of every domain table, to see whether a request changed the office's state. */
  async function fingerprint(): Promise<string> {
    const hash = createHash("sha256");
    const tables = await Promise.all(
      domainTables.map(
        async (table) =>
          [
            table,
            (await t.app.services.store.db.selectFrom(table).selectAll().execute()) as Record<
              string,
              unknown
            >[],
          ] as const,
      ),
    );
    for (const [table, rows] of tables) {
      const lines = rows.map((row) =>
        JSON.stringify(
          Object.entries(row)
            .filter(([column]) => !ignoredColumns.has(column))
            .map(([column, value]) => [
              column,
              Buffer.isBuffer(value) ? value.toString("base64") : String(value),
            ]),
        ),
      );
      hash.update(`${table}\n${lines.sort().join("\n")}\n`);
    }
    return hash.digest("hex");
  }

  /** Requests for one route: its path filled in, a query string, and a body, all generated. */
  function requestsFor(route: DeclaredRoute): fc.Arbitrary<FuzzRequest> {
    const all = Object.values(pool).flat();
    const text = textArbitrary(all);
    const json = jsonArbitrary(all);
    const plausible = (key: string) => (pool[key] ? fc.constantFrom(...pool[key]) : text);
    const fieldValue = (key: string): fc.Arbitrary<unknown> =>
      fc.oneof(
        { arbitrary: plausible(key), weight: 3 },
        { arbitrary: fc.array(plausible(key.replace(/s$/, "")), { maxLength: 3 }), weight: 1 },
        { arbitrary: json, weight: 3 },
      );

    const pathSegment = fc.oneof(
      { arbitrary: fc.constantFrom(...pool.id!), weight: 3 },
      { arbitrary: text.map((s) => percentEncode(s.slice(0, 300))), weight: 3 },
      { arbitrary: fc.constantFrom(...rawEncodings), weight: 2 },
      { arbitrary: fc.constantFrom("x".repeat(5000), "MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBQ"), weight: 1 },
    );
    const params = route.url.match(/:[A-Za-z]+|\*/g) ?? [];
    const path = fc.tuple(...params.map(() => pathSegment)).map((values) => {
      let url = route.url;
      for (const value of values) url = url.replace(/:[A-Za-z]+|\*/, value);
      return url;
    });

    const queryValue = fc.oneof(
      { arbitrary: text.map(percentEncode), weight: 4 },
      { arbitrary: fc.constantFrom(...badCursors), weight: 2 },
      { arbitrary: fc.constantFrom(...rawEncodings), weight: 2 },
      { arbitrary: numberArbitrary.map(String), weight: 2 },
    );
    const queryKey = fc.oneof(
      { arbitrary: fc.constantFrom(...keysOf(route.schema?.querystring), "cursor", "limit"), weight: 4 },
      { arbitrary: fc.constantFrom("__proto__", "constructor", "q[a]", "limit[]", "%00"), weight: 1 },
    );
    const query = fc
      .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
      .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));

    const hasBody = route.method !== "GET" && route.method !== "DELETE";
    const shapedBody = fc
      .tuple(
        fc.record(Object.fromEntries(keysOf(route.schema?.body).map((k) => [k, fieldValue(k)])), {
          requiredKeys: [],
        }),
        fc.dictionary(
          fc.oneof(fc.constantFrom("__proto__", "constructor", "options", "filter"), text),
          json,
          {
            maxKeys: 2,
          },
        ),
      )
      .map(([known, extra]) => safeStringify({ ...known, ...extra }));
    const body: fc.Arbitrary<string | undefined> = hasBody
      ? fc.oneof(
          { arbitrary: shapedBody, weight: 8 },
          { arbitrary: json.map(safeStringify), weight: 2 },
          { arbitrary: fc.constantFrom(...rawBodies), weight: 2 },
          { arbitrary: fc.constantFrom(...hugeBodies), weight: 1 },
        )
      : fc.constant(undefined);

    return fc
      .record({
        caller: fc.nat({ max: credentials.length - 1 }),
        path,
        query,
        body,
        contentType: fc.oneof(
          { arbitrary: fc.constant("application/json"), weight: 12 },
          {
            arbitrary: fc.constantFrom(
              "text/plain",
              "application/x-www-form-urlencoded",
              "application/json; charset=latin1",
            ),
            weight: 1,
          },
        ),
      })
      .map(({ caller, path, query, body, contentType }) => ({
        caller,
        method: route.method,
        url: `${path}${query}`,
        ...(body !== undefined && { body, contentType }),
      }));
  }

  it("reads the route table and the process bodies", () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const process of processCatalog.filter((p) => processHandlers.has(p.symbolicName))) {
      const route = routes.find((r) => r.url === `/api/v1/processes/${process.symbolicName}`);
      expect(keysOf(route?.schema?.body).length, process.symbolicName).toBeGreaterThan(0);
    }
  });

  // About 10 ms a request on PostgreSQL here; a longer hunt gets the time it needs.
  it(`answers ${runs} hostile requests without a 5xx, changes nothing when it refuses, and keeps the history whole`, {
    timeout: Math.max(120_000, runs * 50),
  }, async () => {
    // Logging out would only end the fuzzing callers' sessions; every other route is fair game.
    // The UI's files are one route each and alike: one of them stands for all.
    const uiFile = routes.find((r) => r.servesFile);
    const targets = routes.filter(
      (r) => !r.servesFile && !(r.method === "DELETE" && r.url === "/api/v1/session"),
    );
    if (uiFile) targets.push(uiFile);
    const generating = performance.now();
    // Which route each request goes to, then each route's requests in one sample (a chained
    // arbitrary would rebuild the route's arbitraries for every request).
    // Every route at least once, then at random.
    const order = [
      ...targets.map((_, index) => index),
      ...fc.sample(fc.nat({ max: targets.length - 1 }), {
        seed,
        numRuns: Math.max(0, runs - targets.length),
      }),
    ];
    const perRoute = targets.map((route, index) => {
      const count = order.filter((i) => i === index).length;
      return count === 0 ? [] : fc.sample(requestsFor(route), { seed: seed + index, numRuns: count });
    });
    const requests = order.map((index) => perRoute[index]!.pop()!);

    const serverErrors: string[] = [];
    const changedByRefusal: string[] = [];
    const statuses = new Map<number, number>();
    let before = await fingerprint();
    const started = performance.now();
    for (const request of requests) {
      const caller = credentials[request.caller]!;
      const headers: Record<string, string> = {};
      if (caller.credential?.startsWith("tessera_session=")) headers.cookie = caller.credential;
      else if (caller.credential) headers.authorization = `Bearer ${caller.credential}`;
      if (request.contentType) headers["content-type"] = request.contentType;
      const response = await t.server.inject({
        method: request.method as "GET",
        url: request.url,
        headers,
        ...(request.body !== undefined && { payload: request.body }),
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const shown = `${request.method} ${request.url.slice(0, 200)} as ${caller.name}, body ${String(request.body).slice(0, 200)}`;
      if (response.statusCode >= 500)
        serverErrors.push(`${response.statusCode} ${shown}: ${response.body.slice(0, 200)}`);
      const after = await fingerprint();
      if (response.statusCode >= 400 && response.statusCode < 500 && after !== before)
        changedByRefusal.push(`${response.statusCode} ${shown}: ${response.body.slice(0, 200)}`);
      before = after;
    }
    console.info(
      `${dialect}: generated in ${((started - generating) / 1000).toFixed(1)} s; ${targets.length} routes; ${requests.length} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    expect(serverErrors).toEqual([]);
    expect(changedByRefusal).toEqual([]);
    expect(await t.app.services.audit.verify(t.app.services.store.db)).toMatchObject({ valid: true });
    const auditor = apiAs(t.server, credentials.find((c) => c.name === "auditor")!.credential);
    expect((await auditor("POST", "/api/v1/audit/verify")).body).toMatchObject({ valid: true });
  });
});

/** JSON text of a value; lone surrogates come out as \\uXXXX escapes, as a client would send them. */
function safeStringify(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/**
 * Text percent-encoded as UTF-8 for a URL; a lone surrogate, which has no UTF-8, is written as
 * its CESU-8 bytes, as a careless client would.
 */
function percentEncode(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 0xd800 || code > 0xdfff) out += encodeURIComponent(char);
    else
      for (const byte of [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)])
        out += `%${byte.toString(16).toUpperCase()}`;
  }
  return out;
}
