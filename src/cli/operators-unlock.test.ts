import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliAgainst } from "../test-support/cli.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp, testPassword } from "../test-support/test-app.js";

/**
 * `tessera operators unlock NAME` (finding 7 of issue 8), run as the built command line against
 * the database a running Tessera uses, on SQLite and PostgreSQL.
 */
describe.each(dialects)("tessera operators unlock on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const tessera = (...args: string[]) => cliAgainst(t)(...args);

  const logIn = async (password: string) =>
    (
      await t.server.inject({
        method: "POST",
        url: "/api/v1/session",
        remoteAddress: "203.0.113.77",
        payload: { username: "forgetful", password },
      })
    ).statusCode;

  it("clears the delays of an account at once, and records who did it in the object history", async () => {
    await t.operator("forgetful", ["helpdesk"]);
    for (let i = 0; i < 3; i++) expect(await logIn("wrong password")).toBe(401);
    expect(await logIn(testPassword)).toBe(429);

    const result = tessera("operators", "unlock", "forgetful");
    expect([result.status, result.stderr, result.stdout]).toEqual([
      0,
      "",
      "The login delays of forgetful are cleared.\n",
    ]);
    expect(await logIn(testPassword)).toBe(200);

    const history = await t.app.services.store.db
      .selectFrom("audit_log")
      .select(["action", "operator_id", "details"])
      .orderBy("seq", "desc")
      .limit(3)
      .execute();
    expect(history.map((e) => [e.action, e.operator_id, JSON.parse(e.details)])).toContainEqual([
      "operator.change",
      null,
      { unlocked: true, via: "command line" },
    ]);
    expect((await t.app.services.audit.verify(t.app.services.store.db)).valid).toBe(true);
  });

  it("says so when there is no such operator, and changes nothing", () => {
    const result = tessera("operators", "unlock", "nobody-at-all");
    expect([result.status, result.stderr]).toEqual([
      1,
      "tessera: There is no such operator. (operator.not_found)\n",
    ]);
    const usage = tessera("operators", "unlock");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("tessera operators unlock NAME");
  });
});
