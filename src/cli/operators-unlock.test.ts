import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp, testPassword } from "../test-support/test-app.js";

/**
 * `tessera operators unlock NAME` (finding 7 of issue 8), run as the built command line against
 * the database a running Tessera uses, on SQLite and PostgreSQL.
 */
const cli = path.resolve("dist/cli/main.js");

describe.each(dialects)("tessera operators unlock on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const tessera = (...args: string[]) => {
    const { database, dataDir } = t.app.config;
    return spawnSync("node", [cli, ...args], {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : { DATABASE_URL: "" }),
        // The keys createTestApp gives the app, so that both write one object history.
        TESSERA_AUDIT_KEY: "07".repeat(32),
        TESSERA_PUK_KEY: "09".repeat(32),
        TESSERA_AUDIT_CHECKPOINT_KEY: "05".repeat(32),
        TESSERA_CA_KEY_PASSPHRASE: "test passphrase for the CA key",
        TESSERA_PUBLIC_URL: "https://tessera.example.org",
        TESSERA_DEMO: "false",
        TESSERA_ADMIN_PASSWORD: "",
        LOG_LEVEL: "silent",
      },
    });
  };
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
