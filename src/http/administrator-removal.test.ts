import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

type Api = ReturnType<typeof apiAs>;

/**
 * Found attacking issue 8: with two administrators, one could disable the other (or take its
 * role) at once, be the only enabled administrator, make a new administrator alone (the first
 * step applies at once) with a password of its choosing, and approve its own pending change
 * (the approval step off) as that second account. Leaving a single enabled administrator is
 * itself a change one administrator may not make alone.
 */
describe.each(dialects)("removing the second administrator on %s", (dialect) => {
  let t: TestApp;
  let admin: Api;
  let auditor: Api;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ids.second = (await t.operator("second", ["administrator"])).id;
    ids.third = (await t.operator("third", ["administrator", "helpdesk"])).id;
    await t.operator("auditor", ["auditor"]);
    admin = apiAs(t.server, await t.login("admin"));
    auditor = apiAs(t.server, await t.login("auditor"));
  });
  afterAll(() => t.close());

  const enabledAdministrators = async () =>
    ((await admin("GET", "/api/v1/operators")).body.items as { username: string; roles: string[]; disabled: boolean }[])
      .filter((o) => o.roles.includes("administrator") && !o.disabled)
      .map((o) => o.username)
      .sort();

  it("takes one of three administrators out at once, but not the one that would leave a single", async () => {
    const options = await admin("PATCH", "/api/v1/options", { approvalStep: false });
    expect(options.status).toBe(202);
    const pending = options.body.pendingChange.id as string;

    // Three enabled: disabling one still leaves two, so nobody is alone.
    const first = await admin("PATCH", `/api/v1/operators/${ids.third}`, { disabled: true });
    expect([first.status, first.body.operator?.disabled]).toEqual([200, true]);

    // Two enabled: disabling the other would leave the administrator alone.
    const disable = await admin("PATCH", `/api/v1/operators/${ids.second}`, { disabled: true });
    expect(disable.status).toBe(202);
    expect(disable.body.pendingChange).toMatchObject({
      kind: "operator.change",
      objectId: ids.second,
      rules: ["administratorRemoval"],
      change: { username: "second", disabled: true },
    });
    const demote = await admin("PATCH", `/api/v1/operators/${ids.second}`, { roles: ["auditor"] });
    expect(demote.status).toBe(202);
    expect(demote.body.pendingChange.rules).toEqual(["administratorRemoval"]);
    expect(await enabledAdministrators()).toEqual(["admin", "second"]);

    // So the way round stays shut: a new administrator still waits, and the options too.
    const sock = await admin("POST", "/api/v1/operators", {
      username: "sock",
      password: "a sock puppet's password",
      roles: ["administrator"],
    });
    expect(sock.status).toBe(202);
    await expect(t.login("sock", "a sock puppet's password")).rejects.toThrow();
    expect((await admin("GET", "/api/v1/options")).body.approvalStep).toBe(true);
    const own = await admin("POST", `/api/v1/pending-changes/${pending}/approve`);
    expect(own.body.error.code).toBe("pending_change.own_proposal");

    // The other administrator may agree to step down: then it applies.
    const second = apiAs(t.server, await t.login("second"));
    const agreed = await second("POST", `/api/v1/pending-changes/${disable.body.pendingChange.id}/approve`);
    expect(agreed.status).toBe(200);
    expect(agreed.body.operator).toMatchObject({ username: "second", disabled: true });
    expect(await enabledAdministrators()).toEqual(["admin"]);

    const proposals = (await auditor("GET", "/api/v1/audit?action=operator.change.propose&limit=10")).body
      .items as { objectId: string; details: { rules: string[] } }[];
    expect(proposals.filter((e) => e.details.rules.includes("administratorRemoval"))).toHaveLength(2);
  });
});
