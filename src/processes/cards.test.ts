import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

describe.each(dialects)("card requests and approval on %s", (dialect) => {
  let t: TestApp;
  let registrar: ReturnType<typeof apiAs>;
  let approver: ReturnType<typeof apiAs>;
  let admin: ReturnType<typeof apiAs>;
  const userIds: string[] = [];

  const request = async (userId: string, template = "Employee ID") =>
    registrar("POST", "/api/v1/processes/CardsProcRequest", { userId, template });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("approver", ["approver"]);
    await t.operator("both", ["registrationOfficer", "approver"]);
    registrar = apiAs(t.server, await t.login("registrar"));
    approver = apiAs(t.server, await t.login("approver"));
    admin = apiAs(t.server, await t.login("admin"));
    for (let i = 0; i < 6; i++) {
      const r = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
        firstName: `First${i}`,
        lastName: `Last${i}`,
        email: `u${i}@example.org`,
        identifier: `C-${i}`,
        organizationalUnit: i % 2 ? "IT" : "HR",
      });
      userIds.push(r.body.user.id);
    }
  });
  afterAll(() => t.close());

  it("requests a card: requested, numbered with a Luhn digit, offering approve and abort", async () => {
    const r = await request(userIds[0]!);
    expect(r.status).toBe(200);
    expect(r.body.card).toMatchObject({
      state: "requested",
      template: "Employee ID",
      userId: userIds[0],
      holderName: "First0 Last0",
      batchId: null,
      allowedProcesses: ["CardsProcApprove", "CardsProcAbortRequest"],
    });
    expect(r.body.card.cardNumber).toMatch(/^7001\d{9}$/);
  });

  it("refuses an unknown template, an unknown or inactive user, and a second card for one user", async () => {
    expect((await request(userIds[1]!, "Gold card")).body.error.code).toBe("template.not_found");
    expect((await request("nobody")).body.error.code).toBe("user.not_found");
    const second = await request(userIds[0]!, "Contractor badge");
    expect([second.status, second.body.error.code]).toEqual([409, "card.too_many_active"]);
    await t.app.services.store.db
      .updateTable("users")
      .set({ state: "inactive" })
      .where("id", "=", userIds[5]!)
      .execute();
    expect((await request(userIds[5]!)).body.error.code).toBe("user.inactive");
  });

  it("approves (never by the requester), rejects only with a reason, postpones without a change of state", async () => {
    const card = (await request(userIds[1]!)).body.card;
    const both = apiAs(t.server, await t.login("both"));
    const own = await both("POST", "/api/v1/processes/CardsProcRequest", {
      userId: userIds[2],
      template: "Employee ID",
    });
    const fourEyes = await both("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: own.body.card.id,
      decision: "approve",
    });
    expect([fourEyes.status, fourEyes.body.error.code]).toEqual([403, "card.four_eyes"]);

    const noReason = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "reject",
    });
    expect([noReason.status, noReason.body.error.code]).toEqual([400, "card.reason_required"]);

    const postponed = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "postpone",
      reason: "waiting for the photo",
    });
    expect(postponed.body.card).toMatchObject({
      state: "requested",
      reason: "waiting for the photo",
      version: 2,
    });

    const stale = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "approve",
      version: 1,
    });
    expect([stale.status, stale.body.error.code]).toEqual([409, "card.stale"]);

    const approved = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "approve",
      version: 2,
    });
    expect(approved.body.card).toMatchObject({
      state: "approved",
      allowedProcesses: ["CardsProcAbortRequest", "CardsBoProcIssueMultiple"],
    });
    const again = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: card.id,
      decision: "approve",
    });
    expect([again.status, again.body.error.code]).toEqual([409, "card.state_not_allowed"]);
    expect(again.body.error.message).toContain("is approved");

    const rejected = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: own.body.card.id,
      decision: "reject",
      reason: "duplicate request",
    });
    expect(rejected.body.card).toMatchObject({
      state: "rejected",
      reason: "duplicate request",
      allowedProcesses: [],
    });
  });

  it("shows a card with its history as a timeline and the processes its state allows", async () => {
    const cards = await registrar("GET", `/api/v1/cards?userId=${userIds[1]}`);
    const card = await registrar("GET", `/api/v1/cards/${cards.body.items[0].id}`);
    expect(card.body).toMatchObject({ state: "approved", certificates: [] });
    expect(
      card.body.history.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`),
    ).toEqual([
      "CardsProcRequest:success",
      "CardsProcApprove:refused", // reject without a reason
      "CardsProcApprove:success", // postpone
      "CardsProcApprove:refused", // stale version
      "CardsProcApprove:success", // approve
      "CardsProcApprove:refused", // approve again
    ]);
    expect((await registrar("GET", "/api/v1/cards/nope")).body.error.code).toBe("card.not_found");
  });

  it("aborts a requested card; an aborted one cannot be aborted again", async () => {
    const card = (await request(userIds[3]!)).body.card;
    const aborted = await registrar("POST", "/api/v1/processes/CardsProcAbortRequest", { cardId: card.id });
    expect(aborted.body.card.state).toBe("aborted");
    const again = await registrar("POST", "/api/v1/processes/CardsProcAbortRequest", { cardId: card.id });
    expect(again.body.error.code).toBe("card.state_not_allowed");
    // An aborted card no longer counts against the one-card rule.
    expect((await request(userIds[3]!)).status).toBe(200);
  });

  it("requests many cards at once, reporting the users that cannot have one", async () => {
    const r = await registrar("POST", "/api/v1/processes/CardsBoProcRequestMultiple", {
      userIds: [userIds[4], userIds[0], "nobody", userIds[5], userIds[4]],
      template: "Contractor badge",
    });
    expect(r.status).toBe(200);
    expect(r.body.cards.map((c: { userId: string }) => c.userId)).toEqual([userIds[4]]);
    expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual([
      "card.too_many_active",
      "user.not_found",
      "user.inactive",
      "request.invalid",
    ]);
    expect(
      (
        await registrar("POST", "/api/v1/processes/CardsBoProcRequestMultiple", {
          userIds: [],
          template: "x",
        })
      ).status,
    ).toBe(400);
  });

  it("makes requests approved at once when the approval step is off, and allows several cards when enabled", async () => {
    // Switching the approval step off waits for a second administrator (issue 8).
    const proposed = await admin("PATCH", "/api/v1/options", {
      approvalStep: false,
      severalActiveCards: true,
    });
    expect(proposed.status).toBe(202);
    await t.operator("second-admin", ["administrator"]);
    const second = apiAs(t.server, await t.login("second-admin"));
    const options = await second("POST", `/api/v1/pending-changes/${proposed.body.pendingChange.id}/approve`);
    expect(options.body.options).toMatchObject({ approvalStep: false, severalActiveCards: true });
    const r = await request(userIds[0]!, "Contractor badge");
    expect(r.body.card).toMatchObject({ state: "approved" });
    expect((await registrar("PATCH", "/api/v1/options", { approvalStep: true })).status).toBe(403);
    expect((await admin("PATCH", "/api/v1/options", { approvalStep: "maybe" })).status).toBe(400);
    await admin("PATCH", "/api/v1/options", { approvalStep: true, severalActiveCards: false });
  });

  it("searches cards by state, template, holder and unit, with keyset pages", async () => {
    const requested = await registrar("GET", "/api/v1/cards?state=requested&limit=1");
    expect(requested.body.total).toBeGreaterThan(1);
    const next = await registrar(
      "GET",
      `/api/v1/cards?state=requested&limit=1&cursor=${requested.body.nextCursor}`,
    );
    expect(next.body.items[0].id).not.toBe(requested.body.items[0].id);
    const byName = await registrar("GET", "/api/v1/cards?q=last0");
    expect(byName.body.items.every((c: { holderName: string }) => c.holderName === "First0 Last0")).toBe(
      true,
    );
    expect((await registrar("GET", "/api/v1/cards?organizationalUnit=IT")).body.items.length).toBeGreaterThan(
      0,
    );
    expect((await registrar("GET", "/api/v1/cards?state=lost")).status).toBe(400);
  });

  it("answers unknown processes, wrong bodies and stale cursors with clear 4xx errors", async () => {
    const unknown = await registrar("POST", "/api/v1/processes/CardsProcTeleport", {});
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "process.not_found"]);
    const wrong = await approver("POST", "/api/v1/processes/CardsProcApprove", {
      cardId: 7,
      decision: "approve",
    });
    expect([wrong.status, wrong.body.error.message]).toEqual([
      400,
      "cardId: Invalid input: expected string, received number",
    ]);
    const approveWithRawBody = async (contentType: string, payload: string) =>
      t.server.inject({
        method: "POST",
        url: "/api/v1/processes/CardsProcApprove",
        headers: { cookie: await t.login("approver"), "content-type": contentType },
        payload,
      });
    const malformed = await approveWithRawBody("application/json", "{not json");
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, "request.malformed_json"]);
    const form = await approveWithRawBody("application/x-www-form-urlencoded", "cardId=x&decision=approve");
    expect([form.statusCode, form.json().error.code]).toEqual([415, "request.unsupported_media_type"]);
    expect((await registrar("GET", "/api/v1/cards?cursor=zzz")).body.error.code).toBe(
      "request.invalid_cursor",
    );
  });

  it("lists the catalog with this deployment's options and what the caller may run", async () => {
    const catalog = await approver("GET", "/api/v1/processes");
    const approve = catalog.body.items.find(
      (p: { symbolicName: string }) => p.symbolicName === "CardsProcApprove",
    );
    expect(approve).toMatchObject({
      name: "Approve request",
      requiredCardStates: ["requested"],
      allowed: true,
    });
    const request = catalog.body.items.find(
      (p: { symbolicName: string }) => p.symbolicName === "CardsProcRequest",
    );
    expect(request).toMatchObject({
      allowed: false,
      options: { approvalStep: true, severalActiveCards: false },
    });
  });

  it("keeps the object history's chain intact through all of it", async () => {
    expect(await t.app.services.audit.verify(t.app.services.store.db)).toMatchObject({ valid: true });
  });
});
