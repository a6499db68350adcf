import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliAgainst } from "../test-support/cli.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp, testPassword } from "../test-support/test-app.js";

/**
 * `tessera operators reset-password NAME` (issue 13, first run: a lost administrator password),
 * run as the built command line against the database a running Tessera uses.
 */
describe.each(dialects)("tessera operators reset-password on %s", (dialect) => {
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
        payload: { username: "admin", password },
      })
    ).statusCode;

  it("gives the administrator a new password, shown once, ends their sessions and records it", async () => {
    const session = await t.login("admin");
    const result = tessera("operators", "reset-password", "admin");
    expect([result.status, result.stderr]).toEqual([0, ""]);
    const printed = /New password: (\S+)/.exec(result.stdout)?.[1];
    expect(printed).toMatch(/^.{12,}$/);
    expect(await logIn(testPassword)).toBe(401);
    expect(await logIn(printed!)).toBe(200);
    // The session from before the reset is gone.
    const me = await t.server.inject({ url: "/api/v1/session", headers: { cookie: session } });
    expect(me.statusCode).toBe(401);

    const [entry] = await t.app.services.store.db
      .selectFrom("audit_log")
      .select(["action", "operator_id", "details"])
      .where("action", "=", "operator.change")
      .orderBy("seq", "desc")
      .limit(1)
      .execute();
    expect([entry!.operator_id, JSON.parse(entry!.details)]).toEqual([
      null,
      { passwordReset: true, via: "command line" },
    ]);
    expect((await t.app.services.audit.verify(t.app.services.store.db)).valid).toBe(true);
  });

  it("takes a chosen password, and refuses a short one or an unknown operator without changing anything", async () => {
    const short = tessera("operators", "reset-password", "admin", "--password", "short");
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/^tessera: --password needs at least 12 characters\n/);
    const unknown = tessera("operators", "reset-password", "nobody-at-all");
    expect([unknown.status, unknown.stderr]).toEqual([
      1,
      "tessera: There is no such operator. (operator.not_found)\n",
    ]);
    const chosen = tessera("operators", "reset-password", "admin", "--password", "a chosen long password");
    expect([chosen.status, chosen.stdout]).toEqual([
      0,
      "The password of admin is reset; they are logged out everywhere.\n",
    ]);
    expect(await logIn("a chosen long password")).toBe(200);
  });
});
