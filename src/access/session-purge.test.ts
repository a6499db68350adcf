import { describe, expect, it } from "vitest";
import { findSession, insertSession } from "../store/sessions.js";
import { testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";

describe.each(dialects)("expired sessions on %s", (dialect) => {
  const suite = testAppForSuite(dialect);

  it("are deleted when anyone logs in; live ones stay", async () => {
    const { db } = suite.t.app.services.store;
    const admin = await suite.t.operator("sweeper", ["auditor"]);
    const now = suite.t.clock().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    await insertSession(db, {
      id: "expired-session",
      operatorId: admin.id,
      at: at(-7_200_000),
      expiresAt: at(-3_600_000),
    });
    await insertSession(db, {
      id: "live-session",
      operatorId: admin.id,
      at: at(-60_000),
      expiresAt: at(1_740_000),
    });
    expect(await findSession(db, "expired-session")).toBeDefined();

    await suite.t.login("sweeper");

    expect(await findSession(db, "expired-session")).toBeUndefined();
    expect(await findSession(db, "live-session")).toMatchObject({ operatorId: admin.id });
  });
});
