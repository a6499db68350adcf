import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiClient,
  loggedInOperators,
  produceCardsForNewHolders,
  requestCardsForNewHolders,
} from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Finding 3 of issue 8: the production administrator alone could fetch the PIN letters and the
 * software tokens (a card's whole secret), a token stayed downloadable after activation and
 * after its PIN letters were purged, and no download was in the object history.
 */
describe.each(dialects)("a card's secrets split between roles and traced on %s", (dialect) => {
  let t: TestApp;
  let production: ApiClient;
  let mailer: ApiClient;
  let issuer: ApiClient;
  let auditor: ApiClient;
  let sequence = 0;

  /** Issued cards of a fresh batch (approval step off): their ids and the batch. */
  async function issuedBatch(count: number): Promise<{ batchId: string; cardIds: string[] }> {
    // A last name per batch: the user search matches the start of "last first".
    const prefix = `Sec${"abcdefghij"[++sequence]}`;
    const registrar = apiAs(t.server, await t.login("registrar"));
    return produceCardsForNewHolders(
      t,
      { registrar, production },
      { lastName: prefix, count, template: "Employee ID" },
    );
  }

  const cookies = new Map<string, string>();
  /** A download as the browser gets it: the bytes, or the error. */
  async function download(server: TestApp, username: string, url: string) {
    const key = `${username}@${server === t ? "t" : "other"}`;
    const cookie = cookies.get(key) ?? (await server.login(username));
    cookies.set(key, cookie);
    const response = await server.server.inject({ url, headers: { cookie } });
    const failed = response.statusCode >= 400;
    return {
      status: response.statusCode,
      type: response.headers["content-type"],
      data: response.rawPayload,
      error: failed ? (JSON.parse(response.body).error as { code: string; message: string }) : undefined,
    };
  }

  const history = async (action: string) =>
    (await auditor("GET", `/api/v1/audit?action=${action}&limit=100`)).body.items as {
      operatorName: string;
      action: string;
      objectType: string;
      objectId: string;
      outcome: string;
      at: string;
      details: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("helpdesk", ["helpdesk"]);
    ({ production, mailer, issuer, auditor } = await loggedInOperators(t, {
      production: ["productionAdministrator"],
      mailer: ["pinMailer"],
      issuer: ["issuingAuthority"],
      auditor: ["auditor"],
    }));
    t.app.runner.start();
  });
  afterAll(() => t.close());

  it("lets the PIN mailer fetch the PIN letters and the production administrator the tokens, never one both", async () => {
    const { batchId, cardIds } = await issuedBatch(2);
    const asProduction = await download(t, "production", `/api/v1/batches/${batchId}/pin-letters?part=1`);
    expect([asProduction.status, asProduction.error?.code]).toEqual([403, "auth.forbidden"]);
    const asMailer = await download(t, "mailer", `/api/v1/batches/${batchId}/pin-letters?part=1`);
    expect(asMailer.status).toBe(200);
    expect(asMailer.data.subarray(0, 5).toString()).toBe("%PDF-");

    expect((await download(t, "mailer", `/api/v1/cards/${cardIds[0]}/token`)).status).toBe(403);
    expect((await download(t, "mailer", `/api/v1/batches/${batchId}/print-file`)).status).toBe(403);
    // The card read tells each caller whether they may fetch the token now.
    expect((await production("GET", `/api/v1/cards/${cardIds[0]}`)).body.mayDownloadToken).toBe(true);
    expect((await mailer("GET", `/api/v1/cards/${cardIds[0]}`)).body.mayDownloadToken).toBe(false);
    const token = await download(t, "production", `/api/v1/cards/${cardIds[0]}/token`);
    expect([token.status, token.type]).toEqual([200, "application/x-pkcs12"]);
    expect((await production("GET", `/api/v1/cards/${cardIds[0]}`)).body.mayDownloadToken).toBe(false);
    expect((await download(t, "production", `/api/v1/batches/${batchId}/print-file`)).status).toBe(200);

    // The batch tells each reader what it may fetch, so the UI offers only that.
    expect((await production("GET", `/api/v1/batches/${batchId}`)).body.mayDownload).toEqual({
      printFile: true,
      pinLetters: false,
    });
    expect((await mailer("GET", `/api/v1/batches/${batchId}`)).body.mayDownload).toEqual({
      printFile: false,
      pinLetters: true,
    });
    const purgeByProduction = await production("DELETE", `/api/v1/batches/${batchId}/pin-letters`);
    expect([purgeByProduction.status, purgeByProduction.body.error.code]).toEqual([403, "auth.forbidden"]);
  });

  it("hands a token out once, and never after activation or after its PIN letters were purged", async () => {
    const { batchId, cardIds } = await issuedBatch(3);
    const [once, activated, purged] = cardIds as [string, string, string];

    expect((await download(t, "production", `/api/v1/cards/${once}/token`)).status).toBe(200);
    const twice = await download(t, "production", `/api/v1/cards/${once}/token`);
    expect([twice.status, twice.error?.code]).toEqual([409, "card.token_download_limit"]);
    expect(twice.error?.message).toContain("1 time");

    expect((await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId: activated })).status).toBe(
      200,
    );
    const afterActivation = await download(t, "production", `/api/v1/cards/${activated}/token`);
    expect([afterActivation.status, afterActivation.error?.code]).toEqual([
      409,
      "card.token_card_not_issued",
    ]);
    expect(afterActivation.error?.message).toContain("active");

    expect((await mailer("DELETE", `/api/v1/batches/${batchId}/pin-letters`)).status).toBe(200);
    const afterPurge = await download(t, "production", `/api/v1/cards/${purged}/token`);
    expect([afterPurge.status, afterPurge.error?.code]).toEqual([410, "card.token_pin_letters_purged"]);
    const lettersGone = await mailer("GET", `/api/v1/batches/${batchId}/pin-letters`);
    expect([lettersGone.status, lettersGone.body.error.code]).toEqual([410, "batch.pin_letters_purged"]);

    // Each refusal is in the history as refused, and no refused download was counted.
    const refused = (await history("card.downloadToken")).filter((e) => e.outcome === "refused");
    expect(refused.map((e) => [e.objectId, e.details.code])).toEqual(
      expect.arrayContaining([
        [once, "card.token_download_limit"],
        [activated, "card.token_card_not_issued"],
        [purged, "card.token_pin_letters_purged"],
      ]),
    );
    const counts = await t.app.services.store.db
      .selectFrom("card_tokens")
      .select(["card_id", "downloads"])
      .where("card_id", "in", cardIds)
      .execute();
    expect(Object.fromEntries(counts.map((c) => [c.card_id, Number(c.downloads)]))).toEqual({
      [once]: 1,
      [activated]: 0,
      [purged]: 0,
    });
  });

  it("hands out the token of a card its batch made active, until anything changes the card", async () => {
    const registrar = apiAs(t.server, await t.login("registrar"));
    const [kept, changed] = (await requestCardsForNewHolders(registrar, {
      lastName: "Activeborn",
      count: 2,
      template: "Employee ID",
    })) as [string, string];
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [kept, changed],
      options: { cardEndState: "active", certificateEndState: "valid" },
    });
    expect(order.status).toBe(202);
    await t.app.runner.idle();
    expect((await download(t, "production", `/api/v1/cards/${kept}/token`)).status).toBe(200);
    const helpdesk = apiAs(t.server, await t.login("helpdesk"));
    expect(
      (await helpdesk("POST", "/api/v1/processes/CardsProcDeactivate", { cardId: changed })).status,
    ).toBe(200);
    expect(
      (await helpdesk("POST", "/api/v1/processes/CardsProcReactivate", { cardId: changed })).status,
    ).toBe(200);
    const after = await download(t, "production", `/api/v1/cards/${changed}/token`);
    expect([after.status, after.error?.code]).toEqual([409, "card.token_card_not_issued"]);
  });

  it("records every download — who, what, which batch or card, when — in the object history", async () => {
    const { batchId, cardIds } = await issuedBatch(1);
    const before = t.clock().toISOString();
    expect((await download(t, "production", `/api/v1/batches/${batchId}/print-file`)).status).toBe(200);
    expect((await download(t, "mailer", `/api/v1/batches/${batchId}/pin-letters`)).status).toBe(200);
    expect((await download(t, "production", `/api/v1/cards/${cardIds[0]}/token`)).status).toBe(200);

    const [print] = (await history("batch.downloadPrintFile")).filter((e) => e.objectId === batchId);
    expect(print).toMatchObject({
      operatorName: "production",
      objectType: "batch",
      outcome: "success",
      details: { file: "print", parts: [1] },
    });
    expect(print!.at >= before).toBe(true);
    const [letters] = (await history("batch.downloadPinLetters")).filter((e) => e.objectId === batchId);
    expect(letters).toMatchObject({ operatorName: "mailer", objectType: "batch", outcome: "success" });
    const [token] = (await history("card.downloadToken")).filter(
      (e) => e.objectId === cardIds[0] && e.outcome === "success",
    );
    expect(token).toMatchObject({
      operatorName: "production",
      objectType: "card",
      details: { batchId, download: 1, limit: 1 },
    });
    expect((await auditor("POST", "/api/v1/audit/verify")).body.valid).toBe(true);
  });

  it("refuses one operator holding both roles the second half of a batch's secrets", async () => {
    await t.operator("both", ["productionAdministrator", "pinMailer"]);
    const first = await issuedBatch(2);
    const letters = await download(t, "both", `/api/v1/batches/${first.batchId}/pin-letters`);
    expect(letters.status).toBe(200);
    // The card read says so before anyone clicks.
    const both = apiAs(t.server, await t.login("both"));
    expect((await both("GET", `/api/v1/cards/${first.cardIds[0]}`)).body.mayDownloadToken).toBe(false);
    const token = await download(t, "both", `/api/v1/cards/${first.cardIds[0]}/token`);
    expect([token.status, token.error?.code]).toEqual([403, "batch.secret_split"]);
    // Another operator fetches the other half.
    expect((await download(t, "production", `/api/v1/cards/${first.cardIds[0]}/token`)).status).toBe(200);

    const second = await issuedBatch(1);
    expect((await both("GET", `/api/v1/batches/${second.batchId}`)).body.mayDownload.pinLetters).toBe(true);
    expect((await download(t, "both", `/api/v1/cards/${second.cardIds[0]}/token`)).status).toBe(200);
    expect((await both("GET", `/api/v1/batches/${second.batchId}`)).body.mayDownload.pinLetters).toBe(false);
    const refused = await download(t, "both", `/api/v1/batches/${second.batchId}/pin-letters`);
    expect([refused.status, refused.error?.code]).toEqual([403, "batch.secret_split"]);
    expect((await download(t, "mailer", `/api/v1/batches/${second.batchId}/pin-letters`)).status).toBe(200);
    const recorded = (await history("card.downloadToken")).filter(
      (e) => e.operatorName === "both" && e.outcome === "refused",
    );
    expect(recorded.map((e) => e.details.code)).toEqual(["batch.secret_split"]);
  });

  it("allows a deployment more token downloads when it says so", async () => {
    const more = await createTestApp(dialect, {
      options: { approvalStep: false },
      config: {
        downloads: {
          printFile: ["productionAdministrator"],
          pinLetters: ["pinMailer"],
          tokens: ["productionAdministrator"],
          tokenLimit: 2,
        },
      },
    });
    try {
      await more.operator("registrar", ["registrationOfficer"]);
      await more.operator("production", ["productionAdministrator"]);
      const registrar = apiAs(more.server, await more.login("registrar"));
      const admin = apiAs(more.server, await more.login("production"));
      await registrar("POST", "/api/v1/processes/UsersBoProcImport", {
        csv: "firstName,lastName,email,identifier\nTwo,Downloads,two@example.org,TWO-1",
      });
      const user = (await registrar("GET", "/api/v1/users?q=TWO-1")).body.items[0];
      const card = (
        await registrar("POST", "/api/v1/processes/CardsProcRequest", {
          userId: user.id,
          template: "Employee ID",
        })
      ).body.card;
      await admin("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: [card.id] });
      more.app.runner.start();
      await more.app.runner.idle();
      expect((await download(more, "production", `/api/v1/cards/${card.id}/token`)).status).toBe(200);
      expect((await download(more, "production", `/api/v1/cards/${card.id}/token`)).status).toBe(200);
      expect((await download(more, "production", `/api/v1/cards/${card.id}/token`)).error?.code).toBe(
        "card.token_download_limit",
      );
    } finally {
      await more.close();
    }
  });
});
