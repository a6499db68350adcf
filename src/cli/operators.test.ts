import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliAgainst } from "../test-support/cli.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp, testPassword } from "../test-support/test-app.js";

/**
 * The `tessera operators` commands an administrator runs at the server when nobody can log in:
 * `unlock NAME` (finding 7 of issue 8) and `reset-password NAME` (issue 13, first run: a lost
 * administrator password). Run as the built command line against the database a running Tessera
 * uses, on SQLite and PostgreSQL.
 */
describe.each(dialects)("tessera operators on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const tessera = (...args: string[]) => cliAgainst(t)(...args);

  /** The status a login over HTTP gets: how a test sees what a command changed about an account. */
  const logIn = async (username: string, password: string, remoteAddress?: string) =>
    (
      await t.server.inject({
        method: "POST",
        url: "/api/v1/session",
        ...(remoteAddress && { remoteAddress }),
        payload: { username, password },
      })
    ).statusCode;

  describe("reset-password", () => {
    it("gives the administrator a new password, shown once, ends their sessions and records it", async () => {
      const session = await t.login("admin");
      const result = tessera("operators", "reset-password", "admin");
      expect([result.status, result.stderr]).toEqual([0, ""]);
      const printed = /New password: (\S+)/.exec(result.stdout)?.[1];
      expect(printed).toMatch(/^.{12,}$/);
      expect(await logIn("admin", testPassword)).toBe(401);
      expect(await logIn("admin", printed!)).toBe(200);
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
      expect(await logIn("admin", "a chosen long password")).toBe(200);
    });
  });

  describe("unlock", () => {
    // An address of its own, so that the delays it earns reach no other test.
    const logInForgetful = (password: string) => logIn("forgetful", password, "203.0.113.77");

    it("clears the delays of an account at once, and records who did it in the object history", async () => {
      await t.operator("forgetful", ["helpdesk"]);
      for (let i = 0; i < 3; i++) expect(await logInForgetful("wrong password")).toBe(401);
      expect(await logInForgetful(testPassword)).toBe(429);

      const result = tessera("operators", "unlock", "forgetful");
      expect([result.status, result.stderr, result.stdout]).toEqual([
        0,
        "",
        "The login delays of forgetful are cleared.\n",
      ]);
      expect(await logInForgetful(testPassword)).toBe(200);

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
});
