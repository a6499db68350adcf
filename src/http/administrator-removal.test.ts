import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Found attacking issue 8: with two administrators, one could disable the other (or take its
 * role) at once, be the only enabled administrator, make a new administrator alone (the first
 * step applies at once) with a password of its choosing, and approve its own pending change
 * (the approval step off) as that second account. Leaving a single enabled administrator is
 * itself a change one administrator may not make alone.
 */
describe.each(dialects)("removing the second administrator on %s", (dialect) => {
  let t: TestApp;
  let admin: ApiClient;
  let auditor: ApiClient;
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
    (
      (await admin("GET", "/api/v1/operators")).body.items as {
        username: string;
        roles: string[];
        disabled: boolean;
      }[]
    )
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

/**
 * The same way round, by timing: two changes sent at once each counted three enabled
 * administrators before the other had committed, so on PostgreSQL both applied and one
 * administrator was left alone (and two at once could disable the last two).
 */
describe.each(dialects)("administrators removed at the same moment on %s", (dialect) => {
  let t: TestApp;
  afterAll(() => t.close());

  it("never leaves a single enabled administrator, however the changes are timed", async () => {
    t = await createTestApp(dialect);
    const admin = await t.operator("boss", ["administrator"]);
    const second = await t.operator("second", ["administrator"]);
    const third = await t.operator("third", ["administrator"]);
    const firstAdmin = (
      await t.app.services.store.db
        .selectFrom("operators")
        .select("id")
        .where("username", "=", "admin")
        .executeTakeFirstOrThrow()
    ).id;
    // Four enabled; three changes at once, each of which alone would be allowed at once.
    const { changeOperator } = await import("../access/operators.js");
    const changes = await Promise.all([
      changeOperator(t.app.services, admin, second.id, { disabled: true }),
      changeOperator(t.app.services, admin, third.id, { roles: ["auditor"] }),
      changeOperator(t.app.services, second, firstAdmin, { disabled: true }),
    ]);
    const applied = changes.filter((c) => "operator" in c).length;
    const waiting = changes.filter((c) => "pendingChange" in c).length;
    // Four to three to two at once; the third would leave one: it waits.
    expect([applied, waiting]).toEqual([2, 1]);
    const api = apiAs(t.server, await t.login("boss"));
    const enabled = (
      (await api("GET", "/api/v1/operators")).body.items as { roles: string[]; disabled: boolean }[]
    ).filter((o) => o.roles.includes("administrator") && !o.disabled);
    expect(enabled).toHaveLength(2);
  });
});

/**
 * The way back in: a disabled administrator's password was set at once (a disabled one "could
 * not be taken over"), so with two enabled an administrator could set it, then propose enabling
 * that administrator again. The other administrator saw only "enable sleeper" and approved an
 * account whose password the proposer alone knew: two administrators, one person.
 */
describe.each(dialects)("a disabled administrator's password on %s", (dialect) => {
  let t: TestApp;
  afterAll(() => t.close());

  it("is set only with a second administrator while two are enabled", async () => {
    t = await createTestApp(dialect);
    await t.operator("second", ["administrator"]);
    const sleeper = (await t.operator("sleeper", ["administrator"])).id;
    const admin = apiAs(t.server, await t.login("admin"));
    // Three enabled: disabling one leaves two, at once.
    expect((await admin("PATCH", `/api/v1/operators/${sleeper}`, { disabled: true })).status).toBe(200);

    const reset = await admin("PATCH", `/api/v1/operators/${sleeper}`, { password: "the proposer's secret" });
    expect(reset.status).toBe(202);
    expect(reset.body.pendingChange).toMatchObject({
      objectId: sleeper,
      rules: ["administratorPassword"],
      change: { username: "sleeper", passwordReset: true },
    });
    const enable = await admin("PATCH", `/api/v1/operators/${sleeper}`, {
      disabled: false,
      password: "the proposer's secret",
    });
    // One change, both rules, shown to the approver as what it is.
    expect(enable.status).toBe(202);
    expect([...enable.body.pendingChange.rules].sort()).toEqual([
      "administratorPassword",
      "administratorRole",
    ]);
    expect(enable.body.pendingChange.change).toMatchObject({ disabled: false, passwordReset: true });
  });
});
