import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { type ApiClient, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { readPinLetters } from "../test-support/pin-letters.js";
import { apiAs, createTestApp, listenOnRealTime, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

const tools = hasTool("openssl", "openssl") && hasTool("pdftotext", "poppler-utils");
const { file } = createScratchFolder("tessera-batch-");

describe.runIf(tools).each(dialects)("Issue multiple cards end to end on %s", (dialect) => {
  let t: TestApp;
  let production: ApiClient;
  let issuer: ApiClient;
  let baseUrl: string;
  let cardIds: string[];

  const ocsp = (certPem: string) =>
    askOcsp({
      caFile: file("ca.pem", t.app.services.ca.chainPem),
      certFile: certPem,
      responderUrl: `${baseUrl}/pki/ocsp`,
    });

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false, pukDelivery: "print" } });
    baseUrl = await listenOnRealTime(t);
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("production", ["productionAdministrator"]);
    await t.operator("issuer", ["issuingAuthority"]);
    // The PIN letters go to the mail room; the production administrator fetches the tokens.
    await t.operator("mailer", ["pinMailer"]);
    const registrar = apiAs(t.server, await t.login("registrar"));
    production = apiAs(t.server, await t.login("production"));
    issuer = apiAs(t.server, await t.login("issuer"));
    cardIds = await requestCardsForNewHolders(registrar, {
      lastName: "Batch",
      count: 10,
      template: "Employee ID",
      organizationalUnit: (i) => `Unit ${i % 2}`,
    });
    t.app.runner.start();
  });
  afterAll(() => t.close());

  it("refuses bad options and empty selections with a sentence, and changes nothing", async () => {
    const order = (body: unknown) => production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", body);
    const inconsistent = await order({
      cardIds,
      options: { cardEndState: "active", certificateEndState: "onHold" },
    });
    expect([inconsistent.status, inconsistent.body.error.code]).toEqual([400, "process.option_invalid"]);
    expect(inconsistent.body.error.message).toContain("An active card cannot have its certificates on hold");
    expect((await order({ cardIds, options: { pinLength: 13 } })).status).toBe(400);
    expect((await order({ cardIds, options: { pinLength: 3 } })).status).toBe(400);
    expect((await order({ cardIds, options: { certificates: ["encryption"] } })).body.error.code).toBe(
      "process.option_invalid",
    );
    expect((await order({ cardIds: [] })).body.error.code).toBe("batch.empty_selection");
    expect((await order({ cardIds: ["nope"] })).body.error.code).toBe("batch.nothing_claimed");
    expect((await order({})).status).toBe(400);
    expect((await issuer("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds })).status).toBe(
      403,
    );
    const states = await t.app.services.store.db.selectFrom("cards").select(["state", "batch_id"]).execute();
    expect(states.every((c) => c.state === "approved" && c.batch_id === null)).toBe(true);
  });

  it("produces the cards: PIN letters open the tokens, certificates on hold until activation", async () => {
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [...cardIds.slice(0, 6), "nope"],
      options: { pinLength: 8, cardEndState: "issued", certificateEndState: "onHold" },
    });
    expect(order.status).toBe(202);
    expect(order.body).toMatchObject({ claimed: 6, skipped: [{ cardId: "nope" }] });
    const { batchId } = order.body;
    const again = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: cardIds.slice(0, 7),
    });
    expect(again.body.claimed).toBe(1);
    // The batch by its number, as operators know it (issue 13), and each card by its number.
    const { number } = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(again.body.skipped.map((s: { reason: string }) => s.reason)).toEqual(
      Array(6).fill(expect.stringMatching(new RegExp(`^Card \\d+ is held by batch ${number}\\.$`))),
    );
    expect(again.body.skipped.map((s: { cardNumber: string }) => s.cardNumber)).toEqual(
      Array(6).fill(expect.stringMatching(/^\d+$/)),
    );
    await t.app.runner.idle();

    const batch = await production("GET", `/api/v1/batches/${batchId}`);
    expect(batch.body).toMatchObject({ state: "completed", total: 6, done: 6, failed: 0, left: 0 });
    expect(batch.body.printFile.length).toBe(2); // chunks of 4 in tests

    const letters = await t.server.inject({
      url: `/api/v1/batches/${batchId}/pin-letters?part=1`,
      headers: { cookie: await t.login("mailer") },
    });
    const part2 = await t.server.inject({
      url: `/api/v1/batches/${batchId}/pin-letters?part=2`,
      headers: { cookie: await t.login("mailer") },
    });
    const pins = new Map([...readPinLetters(letters.rawPayload), ...readPinLetters(part2.rawPayload)]);
    expect(pins.size).toBe(6);
    for (const id of cardIds.slice(0, 6)) {
      const card = (await production("GET", `/api/v1/cards/${id}`)).body;
      expect(card).toMatchObject({ state: "issued", batchId: null });
      expect(card.certificates.map((c: { state: string }) => c.state)).toEqual(["onHold", "onHold"]);
      const secrets = pins.get(card.cardNumber)!;
      expect(secrets.pin).toMatch(/^\d{8}$/);
      expect(secrets.puk).toMatch(/^\d{8}$/);
      const token = await t.server.inject({
        url: `/api/v1/cards/${id}/token`,
        headers: { cookie: await t.login("production") },
      });
      const p12 = file(`${card.cardNumber}.p12`, token.rawPayload);
      const opened = spawnSync(
        "openssl",
        ["pkcs12", "-in", p12, "-info", "-nodes", "-passin", `pass:${secrets.pin}`],
        { encoding: "utf8" },
      );
      expect(opened.status).toBe(0);
      expect(opened.stdout.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
      const wrong = spawnSync(
        "openssl",
        ["pkcs12", "-in", p12, "-info", "-nodes", "-passin", "pass:00000000"],
        { encoding: "utf8" },
      );
      expect(wrong.status).not.toBe(0);
    }

    const first = (await production("GET", `/api/v1/cards/${cardIds[0]}`)).body;
    const certPem = file(
      "first.pem",
      toPem(
        Buffer.from(
          (await production("GET", `/api/v1/certificates/${first.certificates[0].serial}`)).body.pem.replace(
            /-----[^-]+-----|\s/g,
            "",
          ),
          "base64",
        ),
        "CERTIFICATE",
      ),
    );
    const held = await ocsp(certPem);
    expect(held).toMatch(/Reason: certificateHold/);

    const activation = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", {
      cardIds: cardIds.slice(0, 6),
    });
    expect(activation.status).toBe(202);
    await t.app.runner.idle();
    expect((await issuer("GET", `/api/v1/batches/${activation.body.batchId}`)).body).toMatchObject({
      state: "completed",
      done: 6,
    });
    expect(await ocsp(certPem)).toMatch(/: good/);
    const active = (await production("GET", `/api/v1/cards/${cardIds[0]}`)).body;
    expect(active.state).toBe("active");
    expect(active.certificates.map((c: { state: string }) => c.state)).toEqual(["valid", "valid"]);
  });

  it("purges PIN letters for good, and answers a purged file with 410", async () => {
    const batches = (await production("GET", "/api/v1/batches?process=CardsBoProcIssueMultiple")).body.items;
    const done = batches.find((b: { total: number }) => b.total === 6);
    const mailer = apiAs(t.server, await t.login("mailer"));
    const purge = await mailer("DELETE", `/api/v1/batches/${done.id}/pin-letters`);
    expect(purge.body.pinLettersPurgedAt).toBeTruthy();
    const gone = await mailer("GET", `/api/v1/batches/${done.id}/pin-letters`);
    expect([gone.status, gone.body.error.code]).toEqual([410, "batch.pin_letters_purged"]);
    expect((await mailer("DELETE", `/api/v1/batches/${done.id}/pin-letters`)).status).toBe(410);
    expect((await production("POST", `/api/v1/batches/${done.id}/cancel`)).body.error.code).toBe(
      "batch.not_running",
    );
    expect((await production("GET", "/api/v1/batches/nope")).status).toBe(404);
    expect((await issuer("GET", `/api/v1/batches/${done.id}/print-file`)).status).toBe(403);
    // The refused purge and cancel are in the object history, as refused.
    const refused = await t.app.services.store.db
      .selectFrom("audit_log")
      .select(["action", "operator_name", "details"])
      .where("object_id", "=", done.id)
      .where("outcome", "=", "refused")
      .orderBy("seq")
      .execute();
    expect(refused.map((e) => [e.action, e.operator_name, JSON.parse(e.details).code])).toEqual(
      expect.arrayContaining([
        ["batch.purgePinLetters", "mailer", "batch.pin_letters_purged"],
        ["batch.cancel", "production", "batch.not_running"],
      ]),
    );
  });
});
