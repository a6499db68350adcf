import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { readPinLetters } from "../test-support/pin-letters.js";
import { apiAs, createTestApp, listenOnRealTime, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

const tools = hasTool("openssl", "openssl") && hasTool("pdftotext", "poppler-utils");
const { file } = createScratchFolder("tessera-combos-");

const combinations = [
  { cardEndState: "issued", certificateEndState: "onHold", pinLength: 4, pukLength: 8, pukDelivery: "none" },
  { cardEndState: "issued", certificateEndState: "valid", pinLength: 6, pukLength: 10, pukDelivery: "print" },
  { cardEndState: "active", certificateEndState: "valid", pinLength: 12, pukLength: 16, pukDelivery: "none" },
] as const;

describe.runIf(tools).each(dialects)("a batch of 50 in each option combination on %s", (dialect) => {
  let t: TestApp;
  let production: ReturnType<typeof apiAs>;
  let admin: ReturnType<typeof apiAs>;
  let baseUrl: string;
  let caFile: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      options: { approvalStep: false },
      config: { batch: { chunkSize: 25, workers: 2 } },
    });
    baseUrl = await listenOnRealTime(t);
    caFile = file("ca.pem", t.app.services.ca.chainPem);
    await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("production", ["productionAdministrator"]);
    // The PIN letters go to the mail room; the production administrator fetches the tokens.
    await t.operator("mailer", ["pinMailer"]);
    production = apiAs(t.server, await t.login("production"));
    admin = apiAs(t.server, await t.login("admin"));
    const registrar = apiAs(t.server, await t.login("registrar"));
    const csv = ["firstName,lastName,email,identifier"];
    for (let i = 0; i < 150; i++) csv.push(`Combo${i},Holder,c${i}@example.org,C-${i}`);
    await registrar("POST", "/api/v1/processes/UsersBoProcImport", { csv: csv.join("\n") });
    const users = await t.app.services.store.db
      .selectFrom("users")
      .select("id")
      .orderBy("identifier")
      .execute();
    await registrar("POST", "/api/v1/processes/CardsBoProcRequestMultiple", {
      userIds: users.map((u) => u.id),
      template: "Employee ID",
    });
    t.app.runner.start();
  });
  afterAll(() => t.close());

  it.each(combinations)(
    "card $cardEndState, certificates $certificateEndState, PIN $pinLength, PUK $pukLength ($pukDelivery)",
    async (combo) => {
      await admin("PATCH", "/api/v1/options", { pukDelivery: combo.pukDelivery });
      const approved = (await production("GET", "/api/v1/cards?state=approved&limit=50")).body.items.map(
        (c: { id: string }) => c.id,
      );
      expect(approved).toHaveLength(50);
      const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
        cardIds: approved,
        options: {
          cardEndState: combo.cardEndState,
          certificateEndState: combo.certificateEndState,
          pinLength: combo.pinLength,
          pukLength: combo.pukLength,
        },
      });
      expect(order.status).toBe(202);
      await t.app.runner.idle();
      expect((await production("GET", `/api/v1/batches/${order.body.batchId}`)).body).toMatchObject({
        state: "completed",
        done: 50,
      });

      const cookie = await t.login("production");
      const mailroom = await t.login("mailer");
      const letters = new Map<string, { pin: string; puk?: string }>();
      for (const part of [1, 2]) {
        const pdf = await t.server.inject({
          url: `/api/v1/batches/${order.body.batchId}/pin-letters?part=${part}`,
          headers: { cookie: mailroom },
        });
        for (const [card, secrets] of readPinLetters(pdf.rawPayload)) letters.set(card, secrets);
      }
      expect(letters.size).toBe(50);
      const crl = file(
        `crl-${order.body.batchId}.pem`,
        toPem((await t.app.services.crl.current()).der, "X509 CRL"),
      );
      for (const [i, id] of approved.entries()) {
        const card = (await production("GET", `/api/v1/cards/${id}`)).body;
        expect(card.state).toBe(combo.cardEndState);
        expect(card.certificates.map((c: { state: string }) => c.state)).toEqual([
          combo.certificateEndState,
          combo.certificateEndState,
        ]);
        const secrets = letters.get(card.cardNumber)!;
        expect(secrets.pin).toHaveLength(combo.pinLength);
        expect(secrets.puk === undefined).toBe(combo.pukDelivery === "none");
        if (secrets.puk) expect(secrets.puk).toHaveLength(combo.pukLength);
        if (i % 10 !== 0) continue; // the slow checks on every tenth card
        const token = await t.server.inject({ url: `/api/v1/cards/${id}/token`, headers: { cookie } });
        const opened = spawnSync(
          "openssl",
          ["pkcs12", "-in", file(`${id}.p12`, token.rawPayload), "-nokeys", "-passin", `pass:${secrets.pin}`],
          { encoding: "utf8" },
        );
        expect(opened.status).toBe(0);
        const certFile = file(
          `${id}.pem`,
          (await production("GET", `/api/v1/certificates/${card.certificates[0].serial}`)).body.pem,
        );
        const verify = spawnSync(
          "openssl",
          ["verify", "-CAfile", caFile, "-crl_check", "-CRLfile", crl, certFile],
          { encoding: "utf8" },
        );
        if (combo.certificateEndState === "onHold")
          expect(`${verify.stdout}${verify.stderr}`).toContain("certificate revoked");
        else expect(verify.stdout).toContain(": OK");
        const ocsp = await askOcsp({ caFile, certFile, responderUrl: `${baseUrl}/pki/ocsp` });
        expect(ocsp).toMatch(combo.certificateEndState === "onHold" ? /Reason: certificateHold/ : /: good/);
      }
    },
  );
});
