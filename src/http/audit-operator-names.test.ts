import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Issue 13, "words, not codes … names instead of ids everywhere an operator reads": the object
 * history named operators and API tokens by an id fragment ("Log in · operator 1c6edfb2").
 */
describe.each(dialects)("operators and API tokens in the object history, by name, on %s", (dialect) => {
  let t: TestApp;
  let auditor: ApiClient;
  let tokenId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const operators = await loggedInOperators(t, { scripter: ["registrationOfficer"], auditor: ["auditor"] });
    auditor = operators.auditor;
    const created = await operators.scripter("POST", "/api/v1/tokens", { name: "Nightly import" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    tokenId = created.body.id;
    expect((await operators.scripter("DELETE", `/api/v1/tokens/${tokenId}`)).status).toBe(204);
  });
  afterAll(() => t.close());

  it("names an operator by username and a token by its name and owner", async () => {
    const entries = (await auditor("GET", "/api/v1/audit?limit=100")).body.items as {
      action: string;
      objectType: string | null;
      objectId: string | null;
      objectName: string | null;
    }[];
    const named = (action: string, type: string) =>
      entries
        .filter((entry) => entry.action === action && entry.objectType === type)
        .map((e) => e.objectName);
    expect(named("login", "operator")).toEqual(expect.arrayContaining(["scripter", "auditor"]));
    expect(named("token.create", "operator")).toEqual(["scripter"]);
    expect(named("token.revoke", "token")).toEqual(["API token Nightly import of scripter"]);
  });
});
