import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenCertificateAuthority } from "../ca/create-token-certificate-authority.js";
import { demoTemplates } from "../domain/card-template.js";
import { openStore } from "../store/database.js";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate } from "../test-support/chip-cards.js";
import { createTestDatabase, type TestDatabase } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  softHsmModule,
  transportSoPin,
  transportUserPin,
} from "../test-support/softhsm.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Issue 10: the CA's key may live in a token of the same module as the station's blank cards. A
 * CA token labelled like a blank card (`blank-…`, still with the vendor's transport SO PIN) must
 * never be taken for one: erasing it would destroy the CA key.
 */
const chipCard = chipTemplate("Chip ID", "soLogin", 1);
const pinVariable = "TESSERA_TEST_CA_PIN";
const caLabel = "blank-ca";
const { dir } = createScratchFolder("tessera-chip-ca-token-");

describe.runIf(hasSoftHsm())("a CA token among the blank cards", () => {
  let reader: BlankCardReader;
  let database: TestDatabase;
  let t: TestApp;
  let ops: { registrar: ApiClient; production: ApiClient };
  let keyId: string;

  beforeAll(async () => {
    reader = createBlankCardReader(1);
    reader.addCard(caLabel);
    process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    database = await createTestDatabase("sqlite", path.join(dir, "tessera.sqlite"));
    const store = await openStore(database.settings);
    const caSettings = {
      name: "Tessera Token CA",
      validityYears: 5,
      publicUrl: "http://localhost:3000",
      keyPassphrase: "test passphrase for the CA key",
      tokenPin: (variable: string) => (variable === pinVariable ? transportUserPin : undefined),
    };
    ({ keyId } = await createTokenCertificateAuthority(
      store,
      { modulePath: softHsmModule, tokenLabel: caLabel, pinVariable, keyType: "p384" },
      caSettings,
      () => new Date(),
    ));
    await store.close();
    t = await createTestApp("sqlite", {
      options: { approvalStep: false },
      config: {
        database: database.settings,
        templates: [...demoTemplates, chipCard],
        secrets: {
          auditKey: Buffer.alloc(32, 7),
          pukKey: Buffer.alloc(32, 9),
          caKeyPassphrase: caSettings.keyPassphrase,
          auditCheckpointKey: Buffer.alloc(32, 5),
          caTokenPin: caSettings.tokenPin,
        },
      },
    });
    ops = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
  });
  afterAll(async () => {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    await t?.close();
    await database?.drop();
    reader?.remove();
  });

  it("takes only the real blank card, and the CA key stays in its token", async () => {
    const cardIds = await requestCardsForNewHolders(ops.registrar, {
      lastName: "Ca",
      count: 2,
      template: "Chip ID",
    });
    const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect(order.status).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    const batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(
      batch.items.map((item: { state: string; code: string | null }) => [item.state, item.code]),
    ).toEqual([
      ["done", null],
      ["failed", "pkcs11.no_blank_card"],
    ]);
    // The CA's token keeps its label, its PIN and its key.
    const objects = reader.pkcs11Tool(
      "--token-label",
      caLabel,
      "--login",
      "--pin",
      transportUserPin,
      "--list-objects",
      "--type",
      "privkey",
    );
    expect(objects).toContain(keyId);
  });
});
