import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processCatalog } from "../domain/process-catalog.js";
import { type Role, roles } from "../domain/roles.js";
import { dialects } from "../test-support/databases.js";
import { type DeclaredRoute, recordRoutes } from "../test-support/declared-routes.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * The authorization matrix (issue 8), generated from the route table (every route the real
 * server declares, read as it is registered) and the process catalog (each process's roles):
 * every route × every role × anonymous × a disabled operator × a revoked token. It fails on an
 * allow the declaration does not list, on a refusal of a caller it does list, and on a route
 * that declares no access.
 */

/**
 * Written by hand, not read from the code: the only routes anyone may call without logging in.
 * A route made public by mistake (or a public one closed) fails here.
 */
const publicRoutes = new Set([
  "GET /healthz",
  "GET /api/docs",
  // The API description's viewer (Swagger UI) and the document it reads.
  "GET /api/docs/ui",
  "GET /api/docs/ui/json",
  "GET /api/docs/ui/yaml",
  "GET /api/docs/ui/static/*",
  "GET /api/docs/ui/static/index.html",
  "GET /api/docs/ui/static/swagger-initializer.js",
  "GET /api/docs/ui/static/theme/tessera.css",
  "POST /api/v1/session",
  "GET /pki/ca.pem",
  "GET /pki/ca.cer",
  "GET /pki/crl",
  "POST /pki/ocsp",
  "GET /pki/ocsp/*",
  // The holder activates their own card with the code of the PIN letter (issue 12).
  "GET /activate",
  "POST /activate",
]);

/**
 * Written by hand as well: the routes for monitoring, and who may read them. A Prometheus server
 * scrapes `/metrics` with an auditor's API token.
 */
const monitoringRoutes: Record<string, readonly Role[]> = {
  "GET /metrics": ["administrator", "auditor"],
};

/**
 * Written by hand too: a route that hands out a chip card's PUK, and who may call it (issue 10:
 * the helpdesk, which unblocks PINs). A route widened to more roles fails here.
 */
const pukRoutes: Record<string, readonly Role[]> = {
  "POST /api/v1/cards/:id/puk": ["helpdesk"],
  // The desk that was given the PUK confirms that the chip has its next one.
  "POST /api/v1/cards/:id/puk/rotated": ["helpdesk"],
};

/** The operator UI's files (served by @fastify/static, which marks each route with its file). */
const isUiFile = (route: DeclaredRoute) =>
  !route.url.startsWith("/api/") && !route.url.startsWith("/pki/") && route.servesFile;

/** Whom a route lets past the access check: nobody needed, any operator, or these roles. */
function allowedRoles(route: DeclaredRoute): "public" | "operator" | readonly Role[] {
  // A process route lets any operator in and the process checks its own roles (so that a
  // refusal is recorded in the object history): the catalog is what it declares.
  const process = processCatalog.find((p) => route.url === `/api/v1/processes/${p.symbolicName}`);
  if (process) return process.roles;
  return route.access!;
}

/** A path with its parameters filled with ids that exist nowhere: allowed callers get a 4xx, not a change. */
function concreteUrl(url: string): string {
  return url
    .replace(":symbolicName", "NoSuchProcess")
    .replace(":serial", "00")
    .replace(/:[a-zA-Z]+/g, "matrix-nothing")
    .replace("*", "MAA=");
}

type Caller = {
  name: string;
  role?: Role;
  credential: () => string | undefined;
  refresh?: () => Promise<void>;
};

describe.each(dialects)("the authorization matrix on %s", (dialect) => {
  let t: TestApp;
  const { routes, hooks } = recordRoutes();
  const callers: Caller[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect, { hooks });
    for (const role of roles) {
      await t.operator(`only-${role.toLowerCase()}`, [role]);
      let cookie = await t.login(`only-${role.toLowerCase()}`);
      callers.push({
        name: role,
        role,
        credential: () => cookie,
        refresh: async () => {
          cookie = await t.login(`only-${role.toLowerCase()}`);
        },
      });
    }
    callers.push({ name: "anonymous", credential: () => undefined });

    // A disabled operator holding every role: its old session and its token both stop.
    await t.operator("disabled-all", [...roles]);
    const disabledCookie = await t.login("disabled-all");
    const disabledToken = (await apiAs(t.server, disabledCookie)("POST", "/api/v1/tokens", { name: "old" }))
      .body.token as string;
    // A revoked token of an operator holding every role.
    await t.operator("revoked-all", [...roles]);
    const revoked = apiAs(t.server, await t.login("revoked-all"));
    const revokedToken = (await revoked("POST", "/api/v1/tokens", { name: "revoked" })).body;
    expect((await revoked("DELETE", `/api/v1/tokens/${revokedToken.id}`)).status).toBe(204);
    const admin = apiAs(t.server, await t.login("admin"));
    const disabledId = (await admin("GET", "/api/v1/operators")).body.items.find(
      (o: { username: string }) => o.username === "disabled-all",
    ).id;
    expect((await admin("PATCH", `/api/v1/operators/${disabledId}`, { disabled: true })).status).toBe(200);
    callers.push({ name: "disabled operator (session)", credential: () => disabledCookie });
    callers.push({ name: "disabled operator (token)", credential: () => disabledToken });
    callers.push({ name: "revoked token", credential: () => revokedToken.token });
  });
  afterAll(() => t.close());

  /** One request with a body that changes nothing (`{}` fails every body schema that matters). */
  async function call(credential: string | undefined, method: string, url: string) {
    const headers: Record<string, string> = {};
    if (credential?.startsWith("tessera_session=")) headers.cookie = credential;
    else if (credential) headers.authorization = `Bearer ${credential}`;
    const response = await t.server.inject({
      method: method as "GET",
      url,
      headers,
      ...(method !== "GET" && method !== "DELETE" && { payload: {} }),
    });
    const isJson = String(response.headers["content-type"] ?? "").startsWith("application/json");
    const code = isJson ? (response.json() as { error?: { code?: string } }).error?.code : undefined;
    return { status: response.statusCode, code };
  }

  it("reads the whole route table, and every route declares who may call it", () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const name of ["CardsProcApprove", "CardsBoProcIssueMultiple", "UsersProcCreate"])
      expect(routes.some((r) => r.url === `/api/v1/processes/${name}`)).toBe(true);
    const undeclared = routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
  });

  it("has exactly the public routes written down here", () => {
    const declaredPublic = routes
      .filter((r) => r.access === "public" && !isUiFile(r))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(declaredPublic).toEqual([...publicRoutes].sort());
    // UI files are public, and only files: nothing under /api or /pki comes from the file server.
    expect(routes.filter((r) => r.servesFile).every((r) => r.access === "public" && isUiFile(r))).toBe(true);
  });

  it("has the monitoring routes written down here, for the roles written down here", () => {
    for (const [route, allowed] of Object.entries(monitoringRoutes)) {
      const declared = routes.find((r) => `${r.method} ${r.url}` === route);
      expect([route, declared?.access]).toEqual([route, allowed]);
    }
  });

  it("has the PUK routes written down here, for the helpdesk alone", () => {
    for (const [route, allowed] of Object.entries(pukRoutes)) {
      const declared = routes.find((r) => `${r.method} ${r.url}` === route);
      expect([route, declared?.access]).toEqual([route, allowed]);
    }
  });

  it("lets through exactly the callers each route declares, and refuses every other", async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const allowed = allowedRoles(route);
      for (const caller of callers) {
        const expectAllowed =
          allowed === "public" ||
          (caller.role !== undefined && (allowed === "operator" || allowed.includes(caller.role)));
        const response = await call(caller.credential(), route.method, concreteUrl(route.url));
        const code = response.code;
        // Refused by the access check (or by the process's role check): 401, or 403 auth.forbidden.
        const refused = response.status === 401 || (response.status === 403 && code === "auth.forbidden");
        if (response.status >= 500 || response.status === 0)
          wrong.push(`${route.method} ${route.url} as ${caller.name}: ${response.status} ${code}`);
        else if (refused === expectAllowed)
          wrong.push(
            `${route.method} ${route.url} as ${caller.name}: ${expectAllowed ? "refused" : "allowed"} (${response.status} ${code})`,
          );
        // Logging out ends the caller's session: log in again for the next route.
        if (route.method === "DELETE" && route.url === "/api/v1/session" && !refused)
          await caller.refresh?.();
      }
    }
    expect(wrong).toEqual([]);
  });
});
