import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLoginCounts } from "../store/login-throttle.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { resetOperatorPassword, unlockOperator } from "./operator-recovery.js";

describe.each(dialects)("the ways back in on the server, on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.operator("olga", ["auditor"]);
  });
  afterAll(() => t.close());

  it("a password reset logs the operator out everywhere and lets the new password in", async () => {
    const cookie = await t.login("olga");
    const chosen = "a new and long enough password";
    const { generated } = await resetOperatorPassword(t.app.services, {
      username: "olga",
      password: chosen,
      via: "test",
    });
    expect(generated).toBeUndefined();
    expect((await apiAs(t.server, cookie)("GET", "/api/v1/processes")).status).toBe(401);
    await expect(t.login("olga")).rejects.toThrow();
    await expect(t.login("olga", chosen)).resolves.toMatch(/^tessera_session=/);
  });

  it("an unlock forgets every login count of the username, and is refused for nobody", async () => {
    const { db } = t.app.services.store;
    await expect(t.login("olga", "not the password at all")).rejects.toThrow();
    expect(await findLoginCounts(db, [{ username: "olga", address: "" }])).toHaveLength(1);
    await unlockOperator(t.app.services, null, "olga", "test");
    expect(await findLoginCounts(db, [{ username: "olga", address: "" }])).toHaveLength(0);
    await expect(unlockOperator(t.app.services, null, "nobody-here", "test")).rejects.toMatchObject({
      code: "operator.not_found",
    });
  });
});
