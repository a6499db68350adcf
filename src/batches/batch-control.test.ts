import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertUser } from "../store/users.js";
import { type ApiClient, loggedInOperators } from "../test-support/api-setup.js";
import { leaseChunkElsewhere, runBatchThatCannotBeProduced } from "../test-support/batches.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { newUser } from "../test-support/users.js";

describe.each(dialects)("batch orders: cancel, failures, fixed options, downloads on %s", (dialect) => {
  let t: TestApp;
  let production: ApiClient;
  let admin: ApiClient;

  async function approvedCards(prefix: string, names: [string, string][]): Promise<string[]> {
    const registrar = apiAs(t.server, await t.login("registrar"));
    const csv = ["firstName,lastName,email,identifier"];
    names.forEach(([first, last], i) => {
      csv.push(`${first},${last},${prefix.toLowerCase()}${i}@example.org,${prefix}-${i}`);
    });
    await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv: csv.join("\n") });
    const ids: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const user = (await registrar("GET", `/api/v1/users?q=${prefix}-${i}`)).body.items[0];
      ids.push(
        (
          await registrar("POST", "/api/v1/processes/CardsProcRequest", {
            userId: user.id,
            template: "Employee ID",
          })
        ).body.card.id,
      );
    }
    return ids;
  }
  const states = async (ids: string[]) =>
    (
      await t.app.services.store.db
        .selectFrom("cards")
        .select(["id", "state", "batch_id"])
        .where("id", "in", ids)
        .execute()
    ).map((c) => `${c.state}:${c.batch_id ? "held" : "free"}`);

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("issuer", ["issuingAuthority"]);
    ({ production } = await loggedInOperators(t, { production: ["productionAdministrator"] }));
    admin = apiAs(t.server, await t.login("admin"));
  });
  afterAll(() => t.close());

  it("cancels a batch before it starts: every card stays approved and free, and the batch says so", async () => {
    const ids = await approvedCards(
      "CAN",
      Array.from({ length: 10 }, (_, i) => [`Cai${i}`, "Cancel"]),
    );
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    expect(await states(ids)).toEqual(Array(10).fill("approved:held"));
    const cancelled = await production("POST", `/api/v1/batches/${order.body.batchId}/cancel`);
    expect(cancelled.body).toMatchObject({ state: "cancelled", total: 10, done: 0, released: 10, left: 0 });
    expect(await states(ids)).toEqual(Array(10).fill("approved:free"));
    const again = await production("POST", `/api/v1/batches/${order.body.batchId}/cancel`);
    expect([again.status, again.body.error.code]).toEqual([409, "batch.not_running"]);
    // The released cards can be ordered again.
    expect(
      (await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids })).status,
    ).toBe(202);
    await production(
      "POST",
      `/api/v1/batches/${(await production("GET", "/api/v1/batches?state=running")).body.items[0].id}/cancel`,
    );
  });

  /** Orders a batch of fresh approved cards with the runner stopped, so that no chunk has started. */
  async function batchNotStarted(prefix: string, names: [string, string][]) {
    await t.app.runner.stop();
    const ids = await approvedCards(prefix, names);
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    return { ids, batchId: order.body.batchId as string };
  }

  it("cancels a batch while a chunk is in production: counts it apart, follows it until it has really ended", async () => {
    const { ids, batchId } = await batchNotStarted(
      "MID",
      Array.from({ length: 10 }, (_, i) => [`Mia${i}`, "Midway"]),
    );
    // Another Tessera took the first chunk (4 cards) and is producing it; its lease has run out.
    await leaseChunkElsewhere(t, { batchId, chunk: 1, attempts: 1 });
    const cancelled = await production("POST", `/api/v1/batches/${batchId}/cancel`);
    expect(cancelled.body).toMatchObject({
      state: "cancelled",
      total: 10,
      done: 0,
      released: 6,
      inProduction: 4,
      left: 4,
      finishing: true,
      finishedAt: null,
    });
    const during = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(during).toMatchObject({ state: "cancelled", inProduction: 4, finishing: true, finishedAt: null });
    const listed = (await production("GET", "/api/v1/batches?state=cancelled")).body.items;
    expect(listed.find((b: { id: string }) => b.id === batchId)).toMatchObject({
      inProduction: 4,
      finishing: true,
    });
    // The chunk in production finishes (here: taken over after its lease ran out) and the batch ends.
    t.app.runner.start();
    await t.app.runner.idle();
    const ended = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(ended).toMatchObject({
      state: "cancelled",
      done: 4,
      released: 6,
      left: 0,
      inProduction: 0,
      finishing: false,
      finishedAt: expect.any(String),
    });
    const inChunk1 = new Set(
      (
        await t.app.services.store.db
          .selectFrom("batch_items")
          .select("card_id")
          .where("batch_id", "=", batchId)
          .where("chunk", "=", 1)
          .execute()
      ).map((i) => i.card_id),
    );
    expect(await states(ids.filter((id) => inChunk1.has(id)))).toEqual(Array(4).fill("issued:free"));
    expect(await states(ids.filter((id) => !inChunk1.has(id)))).toEqual(Array(6).fill("approved:free"));
  });

  it("cancels an Activate multiple cards batch before it starts: its cards stay issued and free", async () => {
    const ids = await approvedCards(
      "ACT",
      Array.from({ length: 4 }, (_, i) => [`Aca${i}`, "Activate"]),
    );
    t.app.runner.start();
    await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    await t.app.runner.idle();
    await t.app.runner.stop();
    expect(await states(ids)).toEqual(Array(4).fill("issued:free"));
    const issuer = apiAs(t.server, await t.login("issuer"));
    const order = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", { cardIds: ids });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    expect(await states(ids)).toEqual(Array(4).fill("issued:held"));
    const cancelled = await issuer("POST", `/api/v1/batches/${order.body.batchId}/cancel`);
    expect(cancelled.body).toMatchObject({ state: "cancelled", total: 4, done: 0, released: 4, left: 0 });
    expect(await states(ids)).toEqual(Array(4).fill("issued:free"));
    // Released, they can be ordered again.
    expect(
      (await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", { cardIds: ids })).status,
    ).toBe(202);
  });

  it("says how many cards of a running batch are in production", async () => {
    const { batchId } = await batchNotStarted(
      "RUN",
      Array.from({ length: 6 }, (_, i) => [`Rua${i}`, "Running"]),
    );
    expect((await production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
      state: "running",
      inProduction: 0,
      left: 6,
      finishing: false,
    });
    await leaseChunkElsewhere(t, { batchId, chunk: 2 });
    expect((await production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
      inProduction: 2,
      left: 6,
    });
    t.app.runner.start();
    await t.app.runner.idle();
    expect((await production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
      state: "completed",
      done: 6,
      inProduction: 0,
      finishing: false,
    });
  });

  it("fails the one card it cannot print, revokes what was signed for it, and repeat production brings it back once the holder is corrected", async () => {
    const [ok1, ok2] = await approvedCards("FAIL", [
      ["Ann", "Ok"],
      ["Eva", "Ok"],
    ]);
    // Registration refuses a name the card cannot print (issue 13); this holder came before that.
    const registrar = apiAs(t.server, await t.login("registrar"));
    await insertUser(
      t.app.services.store.db,
      newUser({
        id: "fail-cyrillic",
        identifier: "FAIL-C",
        email: "boris@example.org",
        firstName: "Борис",
        lastName: "Иванов",
      }),
      t.clock().toISOString(),
    );
    const unprintable = (
      await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId: "fail-cyrillic",
        template: "Employee ID",
      })
    ).body.card.id as string;
    const ids = [ok1!, unprintable, ok2!];
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    t.app.runner.start();
    await t.app.runner.idle();
    const batch = await production("GET", `/api/v1/batches/${order.body.batchId}?itemState=failed`);
    expect(batch.body).toMatchObject({ state: "completed", done: 2, failed: 1 });
    expect(batch.body.items).toEqual([
      expect.objectContaining({ cardId: ids[1], state: "failed", code: expect.stringMatching(/\S/) }),
    ]);
    const failed = (await production("GET", `/api/v1/cards/${ids[1]}`)).body;
    // Repeat production would fail the same way: not offered until the holder is corrected.
    expect(failed).toMatchObject({ state: "failed", allowedProcesses: [] });
    expect(failed.certificates.every((c: { state: string }) => c.state === "revoked")).toBe(true);
    const repeat = () =>
      production("POST", "/api/v1/processes/CardsProcRepeatProduction", { cardId: ids[1] });
    expect((await repeat()).body.error.code).toBe("card.holder_unfit_for_card");
    const edited = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId: "fail-cyrillic",
      version: 1,
      nameOnCard: "Boris Ivanov",
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect((await production("GET", `/api/v1/cards/${ids[1]}`)).body.allowedProcesses).toEqual([
      "CardsProcRepeatProduction",
    ]);
    expect((await repeat()).body.card.state).toBe("approved");
    expect(await states([ids[0]!, ids[2]!])).toEqual(["issued:free", "issued:free"]);
  });

  it("refuses an option the deployment fixes, and uses the deployment's choice instead", async () => {
    await admin("PATCH", "/api/v1/options", {
      pinLength: { operatorMayChoose: false, default: 5 },
      cardEndState: { operatorMayChoose: false, default: "issued" },
    });
    const ids = await approvedCards("FIX", [["Fia", "Fixed"]]);
    const refused = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: ids,
      options: { pinLength: 6 },
    });
    expect([refused.status, refused.body.error.code]).toEqual([400, "process.option_disabled"]);
    expect(await states(ids)).toEqual(["approved:free"]);
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    expect((await production("GET", `/api/v1/batches/${order.body.batchId}`)).body.options).toMatchObject({
      pinLength: 5,
    });
    await t.app.runner.idle();
  });

  it("gives up a chunk that fails three times for a reason not its cards', failing its cards with that reason", async () => {
    const ids = await approvedCards("GIVE", [["Gil", "Giveup"]]);
    await t.app.runner.stop();
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    await runBatchThatCannotBeProduced(t, production, order.body.batchId);
    const batch = (await production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch, JSON.stringify(batch)).toMatchObject({ state: "completed", done: 0, failed: 1 });
    expect(batch.items[0]).toMatchObject({
      code: "batch.production_failed",
      reason: expect.stringContaining("3 times"),
    });
    // A code a client sees in a batch's results is one the API documents.
    const document = (await t.server.inject({ url: "/api/docs", headers: { accept: "*/*" } })).json();
    expect(document.info.description).toContain(`| \`${batch.items[0].code}\` | 500 |`);
    expect((await production("GET", `/api/v1/cards/${ids[0]}`)).body).toMatchObject({
      state: "failed",
      batchId: null,
    });
  });

  it("serves a print file of several parts as a ZIP of PDFs, one part as a PDF", async () => {
    const ids = await approvedCards(
      "ZIP",
      Array.from({ length: 6 }, (_, i) => [`Zed${i}`, "Zipper"]),
    );
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: ids });
    await t.app.runner.idle();
    const cookie = await t.login("production");
    const zip = await t.server.inject({
      url: `/api/v1/batches/${order.body.batchId}/print-file`,
      headers: { cookie },
    });
    expect(zip.headers["content-type"], zip.body.slice(0, 300)).toBe("application/zip");
    expect(zip.rawPayload.subarray(0, 4).toString("hex")).toBe("504b0304");
    expect(zip.rawPayload.toString("latin1").match(/%PDF-/g)).toHaveLength(2);
    const part = await t.server.inject({
      url: `/api/v1/batches/${order.body.batchId}/print-file?part=2`,
      headers: { cookie },
    });
    expect([part.headers["content-type"], part.rawPayload.subarray(0, 5).toString()]).toEqual([
      "application/pdf",
      "%PDF-",
    ]);
    const missing = await t.server.inject({
      url: `/api/v1/batches/${order.body.batchId}/print-file?part=9`,
      headers: { cookie },
    });
    expect(missing.json().error.code).toBe("batch.no_output");
  });
});
