import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardTemplateSchema, demoTemplates } from "../domain/card-template.js";
import {
  type ApiClient,
  loggedInOperators,
  produceBatch,
  requestCardsForNewHolders,
} from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { readPinLetters } from "../test-support/pin-letters.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

const tools = hasTool("openssl", "openssl") && hasTool("pdftotext", "poppler-utils");
const { file } = createScratchFolder("tessera-legacy-tokens-");

/** A template for holders whose software reads only RFC 7292's own algorithms. */
const legacyBadge = cardTemplateSchema.parse({
  name: "Legacy badge",
  profiles: [
    { name: "authentication", kind: "authentication", keyAlgorithm: "RSA-2048" },
    { name: "signature", kind: "signature", keyAlgorithm: "P-256" },
  ],
  pkcs12Format: "legacy",
});

describe.runIf(tools).each(dialects)("Software tokens in each template's PKCS#12 format on %s", (dialect) => {
  let t: TestApp;
  let ops: { registrar: ApiClient; production: ApiClient };

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      options: { approvalStep: false },
      config: { templates: [...demoTemplates, legacyBadge] },
    });
    await t.operator("mailer", ["pinMailer"]);
    ops = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
  });
  afterAll(() => t.close());

  it("writes a legacy template's token for openssl -legacy and a modern one's as before, in one batch", async () => {
    const cardOfNewHolder = async (lastName: string, template: string) =>
      (await requestCardsForNewHolders(ops.registrar, { lastName, count: 1, template }))[0]!;
    const legacyCard = await cardOfNewHolder("Oldreader", "Legacy badge");
    const modernCard = await cardOfNewHolder("Newreader", "Employee ID");
    const batchId = await produceBatch(t, ops.production, [legacyCard, modernCard]);
    const letters = await t.server.inject({
      url: `/api/v1/batches/${batchId}/pin-letters?part=1`,
      headers: { cookie: await t.login("mailer") },
    });
    const pins = readPinLetters(letters.rawPayload);

    const tokenOf = async (cardId: string) => {
      const card = (await ops.production("GET", `/api/v1/cards/${cardId}`)).body;
      expect(card.state).toBe("issued");
      const token = await t.server.inject({
        url: `/api/v1/cards/${cardId}/token`,
        headers: { cookie: await t.login("production") },
      });
      expect(token.statusCode).toBe(200);
      return { p12: file(`${card.cardNumber}.p12`, token.rawPayload), pin: pins.get(card.cardNumber)!.pin };
    };
    const openssl = (p12: string, pin: string) =>
      spawnSync("openssl", ["pkcs12", "-legacy", "-info", "-nodes", "-in", p12, "-passin", `pass:${pin}`], {
        encoding: "utf8",
      });

    const legacy = await tokenOf(legacyCard);
    const opened = openssl(legacy.p12, legacy.pin);
    expect(opened.status).toBe(0);
    expect(opened.stdout.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
    expect(opened.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3); // two card certificates and the CA
    expect(opened.stderr).toContain("MAC: sha1, Iteration 2048");
    expect(opened.stderr).toContain("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC");
    expect(opened.stderr.match(/Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/g)).toHaveLength(2);
    expect(openssl(legacy.p12, "00000000").status).not.toBe(0);

    const modern = await tokenOf(modernCard);
    const openedModern = openssl(modern.p12, modern.pin);
    expect(openedModern.status).toBe(0);
    expect(openedModern.stderr).toContain("MAC: sha256, Iteration 2048");
    expect(openedModern.stderr).toContain("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC");
  });
});
