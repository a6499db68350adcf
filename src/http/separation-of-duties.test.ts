import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Issue 8, findings 2 and 5: nobody decides alone. A token acts only as the operator who made
 * it; nobody changes their own roles; weakening a four-eyes rule, or making another
 * administrator while two are enabled, waits for a second administrator.
 */
describe.each(dialects)("separation of duties on %s", (dialect) => {
  let t: TestApp;
  let admin: ApiClient;
  let second: ApiClient;
  let registrar: ApiClient;
  let auditor: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const [name, roles] of [
      ["boss", ["administrator", "registrationOfficer"]],
      ["second", ["administrator"]],
      ["approver", ["approver"]],
      ["registrar", ["registrationOfficer"]],
      ["auditor", ["auditor"]],
    ] as const)
      ids[name] = (await t.operator(name, [...roles])).id;
    admin = apiAs(t.server, await t.login("admin"));
    second = apiAs(t.server, await t.login("second"));
    registrar = apiAs(t.server, await t.login("registrar"));
    auditor = apiAs(t.server, await t.login("auditor"));
    ids.admin = (await admin("GET", "/api/v1/session")).body.operator.id;
  });
  afterAll(() => t.close());

  const history = async (action: string) =>
    (await auditor("GET", `/api/v1/audit?action=${encodeURIComponent(action)}&limit=100`)).body.items as {
      action: string;
      outcome: string;
      operatorName: string;
      objectId: string | null;
      details: Record<string, unknown>;
    }[];

  it("starts without demo data with no operator holding both sides of a four-eyes pair", async () => {
    const { fourEyesPairsHeld } = await import("../domain/four-eyes-rules.js");
    const first = (await admin("GET", "/api/v1/operators")).body.items.find(
      (o: { username: string }) => o.username === "admin",
    );
    expect(first.roles).toEqual(["administrator"]);
    expect(fourEyesPairsHeld(first.roles)).toEqual([]);
    expect(fourEyesPairsHeld(["registrationOfficer", "approver", "auditor"])).toEqual([
      ["registrationOfficer", "approver"],
    ]);
  });

  it("finding 2: an administrator cannot make a token for an approver and approve its own request", async () => {
    const boss = apiAs(t.server, await t.login("boss"));
    const user = await boss("POST", "/api/v1/processes/UsersProcCreate", {
      firstName: "Ada",
      lastName: "Token",
      email: "ada@example.org",
      identifier: "SOD-1",
    });
    const card = (
      await boss("POST", "/api/v1/processes/CardsProcRequest", {
        userId: user.body.user.id,
        template: "Employee ID",
      })
    ).body.card;
    expect(card.state).toBe("requested");

    const token = await boss("POST", "/api/v1/tokens", { name: "x", operatorId: ids.approver });
    expect([token.status, token.body.error?.code]).toEqual([403, "token.other_operator"]);
    expect(await t.app.services.store.db.selectFrom("api_tokens").select("id").execute()).toEqual([]);

    const approve = await apiAs(t.server, token.body.token)("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "approve",
    });
    expect(approve.status).toBe(401);
    expect((await boss("GET", `/api/v1/cards/${card.id}`)).body.state).toBe("requested");
  });

  it("refuses a token made before this change whose operator is not its creator", async () => {
    // The shape finding 2 left behind in existing databases: written as the old code wrote it.
    const { hashToken } = await import("../access/authentication.js");
    await t.app.services.store.db
      .insertInto("api_tokens")
      .values({
        id: "legacy-token",
        operator_id: ids.approver!,
        name: "old",
        token_hash: hashToken("tsr_legacy"),
        created_by: ids.admin!,
        created_at: "2026-01-01T00:00:00.000Z",
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    const legacy = await apiAs(t.server, "tsr_legacy")("GET", "/api/v1/session");
    expect([legacy.status, legacy.body.error.code]).toEqual([401, "auth.invalid_token"]);
  });

  it("lets any operator create, list and revoke their own tokens, and only administrators everyone's", async () => {
    const mine = await registrar("POST", "/api/v1/tokens", { name: "HR sync" });
    expect(mine.status).toBe(201);
    const same = await registrar("POST", "/api/v1/tokens", { name: "again", operatorId: ids.registrar });
    expect(same.status).toBe(201);
    const script = apiAs(t.server, mine.body.token);
    expect((await script("GET", "/api/v1/session")).body.operator.username).toBe("registrar");

    const other = await registrar("POST", "/api/v1/tokens", { name: "x", operatorId: ids.approver });
    expect([other.status, other.body.error.code]).toEqual([403, "token.other_operator"]);

    const adminToken = await admin("POST", "/api/v1/tokens", { name: "admin script" });
    expect(adminToken.status).toBe(201);

    const listed = (await registrar("GET", "/api/v1/tokens")).body.items as {
      id: string;
      operatorId: string;
    }[];
    expect(listed.map((x) => x.id).sort()).toEqual([mine.body.id, same.body.id].sort());
    const all = (await admin("GET", "/api/v1/tokens")).body.items as { id: string }[];
    expect(all.map((x) => x.id)).toEqual(expect.arrayContaining([mine.body.id, adminToken.body.id]));

    const notMine = await registrar("DELETE", `/api/v1/tokens/${adminToken.body.id}`);
    expect([notMine.status, notMine.body.error.code]).toEqual([404, "token.not_found"]);
    expect((await apiAs(t.server, adminToken.body.token)("GET", "/api/v1/session")).status).toBe(200);

    expect((await registrar("DELETE", `/api/v1/tokens/${mine.body.id}`)).status).toBe(204);
    expect((await script("GET", "/api/v1/session")).status).toBe(401);
    expect((await admin("DELETE", `/api/v1/tokens/${same.body.id}`)).status).toBe(204);
  });

  it("finding 5: no operator changes their own roles, not even an administrator", async () => {
    const own = await admin("PATCH", `/api/v1/operators/${ids.admin}`, {
      roles: ["administrator", "approver"],
    });
    expect([own.status, own.body.error.code]).toEqual([403, "operator.own_roles"]);
    const me = (await admin("GET", "/api/v1/operators")).body.items.find(
      (o: { id: string }) => o.id === ids.admin,
    );
    expect(me.roles).toEqual(["administrator"]);
    // Another administrator may.
    const byOther = await second("PATCH", `/api/v1/operators/${ids.registrar}`, {
      roles: ["registrationOfficer", "helpdesk"],
    });
    expect(byOther.status).toBe(200);
  });

  it("finding 5: switching the approval step off waits for a second administrator", async () => {
    const before = (await admin("GET", "/api/v1/options")).body;
    expect(before.approvalStep).toBe(true);

    const proposed = await admin("PATCH", "/api/v1/options", { approvalStep: false, pukDelivery: "print" });
    expect(proposed.status).toBe(202);
    const change = proposed.body.pendingChange;
    expect(change).toMatchObject({
      state: "pending",
      kind: "options",
      proposedBy: ids.admin,
      proposedByName: "admin",
      change: { approvalStep: false, pukDelivery: "print" },
      rules: ["approvalStep"],
    });
    // Nothing applied yet, not even the harmless field of the same patch.
    expect((await admin("GET", "/api/v1/options")).body).toEqual(before);

    const listed = (await second("GET", "/api/v1/pending-changes")).body.items;
    expect(listed.map((c: { id: string }) => c.id)).toContain(change.id);
    expect((await registrar("GET", "/api/v1/pending-changes")).status).toBe(403);

    const own = await admin("POST", `/api/v1/pending-changes/${change.id}/approve`);
    expect([own.status, own.body.error.code]).toEqual([403, "pending_change.own_proposal"]);
    const ownReject = await admin("POST", `/api/v1/pending-changes/${change.id}/reject`);
    expect([ownReject.status, ownReject.body.error.code]).toEqual([403, "pending_change.own_proposal"]);
    expect((await admin("GET", "/api/v1/options")).body.approvalStep).toBe(true);

    const approved = await second("POST", `/api/v1/pending-changes/${change.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.pendingChange).toMatchObject({ state: "approved", decidedBy: ids.second });
    expect(approved.body.options).toMatchObject({ approvalStep: false, pukDelivery: "print" });
    expect((await admin("GET", "/api/v1/options")).body).toMatchObject({
      approvalStep: false,
      pukDelivery: "print",
    });
    const again = await second("POST", `/api/v1/pending-changes/${change.id}/reject`);
    expect([again.status, again.body.error.code]).toEqual([409, "pending_change.decided"]);
    const unknown = await second("POST", "/api/v1/pending-changes/nothing-here/approve");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "pending_change.not_found"]);

    expect((await history("options.change.propose")).map((e) => [e.outcome, e.operatorName])).toEqual([
      ["success", "admin"],
    ]);
    expect(
      (await history("options.change.approve")).map((e) => [e.outcome, e.operatorName, e.objectId]),
    ).toEqual(
      expect.arrayContaining([
        ["refused", "admin", change.id],
        ["success", "second", change.id],
      ]),
    );
    const applied = await history("options.change");
    expect(applied[0]).toMatchObject({ operatorName: "second", details: { pendingChangeId: change.id } });

    // Switching it back on strengthens the rule: applied at once by one administrator.
    const on = await admin("PATCH", "/api/v1/options", { approvalStep: true, pukDelivery: "none" });
    expect([on.status, on.body.approvalStep]).toEqual([200, true]);
  });

  it("a rejected change is never applied, and the rejection is in the history", async () => {
    const proposed = await second("PATCH", "/api/v1/options", { approvalStep: false });
    expect(proposed.status).toBe(202);
    const id = proposed.body.pendingChange.id;
    const rejected = await admin("POST", `/api/v1/pending-changes/${id}/reject`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.pendingChange).toMatchObject({ state: "rejected", decidedByName: "admin" });
    expect((await admin("GET", "/api/v1/options")).body.approvalStep).toBe(true);
    expect((await admin("POST", `/api/v1/pending-changes/${id}/approve`)).body.error.code).toBe(
      "pending_change.decided",
    );
    const rejections = (await history("options.change.reject")).filter((e) => e.objectId === id);
    expect(rejections.map((e) => [e.outcome, e.operatorName])).toEqual([["success", "admin"]]);
  });

  it("an options patch that changes nothing is answered and not recorded", async () => {
    const before = (await history("options.change")).length;
    const current = (await admin("GET", "/api/v1/options")).body;
    const empty = await admin("PATCH", "/api/v1/options", {});
    expect([empty.status, empty.body]).toEqual([200, current]);
    const same = await admin("PATCH", "/api/v1/options", {
      approvalStep: true,
      pinLength: current.pinLength,
    });
    expect([same.status, same.body]).toEqual([200, current]);
    expect(await history("options.change")).toHaveLength(before);
  });

  it("an operator patch that changes nothing is answered and not recorded (same class)", async () => {
    const before = (await history("operator.change")).length;
    const registrarNow = (await admin("GET", "/api/v1/operators")).body.items.find(
      (o: { id: string }) => o.id === ids.registrar,
    );
    const empty = await admin("PATCH", `/api/v1/operators/${ids.registrar}`, {});
    expect([empty.status, empty.body.operator]).toEqual([200, registrarNow]);
    const same = await admin("PATCH", `/api/v1/operators/${ids.registrar}`, {
      roles: [...registrarNow.roles].reverse(),
      disabled: false,
    });
    expect([same.status, same.body.operator]).toEqual([200, registrarNow]);
    // Sending your own roles unchanged is not changing them.
    const own = await admin("PATCH", `/api/v1/operators/${ids.admin}`, { roles: ["administrator"] });
    expect(own.status).toBe(200);
    expect(await history("operator.change")).toHaveLength(before);
  });

  it("setting another administrator's password waits for a second administrator (a takeover)", async () => {
    const reset = await admin("PATCH", `/api/v1/operators/${ids.second}`, { password: "taken over at last" });
    expect(reset.status).toBe(202);
    expect(reset.body.pendingChange).toMatchObject({
      kind: "operator.change",
      objectId: ids.second,
      rules: ["administratorPassword"],
      change: { username: "second", passwordReset: true },
    });
    expect(JSON.stringify(reset.body)).not.toContain("taken over at last");
    // Nothing happened yet: the old password still works, the new one does not.
    expect(await t.login("second")).toMatch(/^tessera_session=/);
    await expect(t.login("second", "taken over at last")).rejects.toThrow();
    // The administrator concerned sees it and rejects it.
    const rejected = await second("POST", `/api/v1/pending-changes/${reset.body.pendingChange.id}/reject`);
    expect(rejected.body.pendingChange.state).toBe("rejected");
    expect(await t.login("second")).toMatch(/^tessera_session=/);

    // One's own password, and a non-administrator's, are set at once.
    expect(
      (await admin("PATCH", `/api/v1/operators/${ids.registrar}`, { password: "a new registrar pw" })).status,
    ).toBe(200);
    expect(await t.login("registrar", "a new registrar pw")).toMatch(/^tessera_session=/);
  });

  it("with two or more administrators enabled, making another waits for a second one", async () => {
    const created = await admin("POST", "/api/v1/operators", {
      username: "puppet",
      password: "a puppet's own password",
      roles: ["administrator"],
    });
    expect(created.status).toBe(202);
    expect(created.body.pendingChange).toMatchObject({
      kind: "operator.create",
      state: "pending",
      rules: ["administratorRole"],
      change: { username: "puppet", roles: ["administrator"] },
    });
    // The password is not kept in the pending change.
    expect(JSON.stringify(created.body)).not.toContain("a puppet's own password");
    expect(
      (await admin("GET", "/api/v1/operators")).body.items.some(
        (o: { username: string }) => o.username === "puppet",
      ),
    ).toBe(false);

    const promote = await admin("PATCH", `/api/v1/operators/${ids.approver}`, {
      roles: ["approver", "administrator"],
    });
    expect(promote.status).toBe(202);
    expect(promote.body.pendingChange).toMatchObject({
      kind: "operator.change",
      rules: ["administratorRole"],
    });
    expect(
      (await admin("GET", "/api/v1/operators")).body.items.find((o: { id: string }) => o.id === ids.approver)
        .roles,
    ).toEqual(["approver"]);

    const approved = await second("POST", `/api/v1/pending-changes/${created.body.pendingChange.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.operator).toMatchObject({ username: "puppet", roles: ["administrator"] });
    expect(await t.login("puppet", "a puppet's own password")).toMatch(/^tessera_session=/);
    await second("POST", `/api/v1/pending-changes/${promote.body.pendingChange.id}/reject`);

    // Roles without administrator are granted at once.
    const plain = await admin("POST", "/api/v1/operators", { username: "plain", roles: ["helpdesk"] });
    expect(plain.status).toBe(201);
  });
});
