import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { type ApiClient, loggedInOperators, produceCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate } from "../test-support/chip-cards.js";
import type { TestDatabase } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { blankCardReaderForSuite, hasSoftHsm, transportSoPin } from "../test-support/softhsm.js";
import type { TestApp } from "../test-support/test-app.js";
import { startTokenCa } from "../test-support/token-ca.js";

/**
 * Issue 10: the CA's key may live in a token of the same module as the station's blank cards. A
 * CA token labelled like a blank card (`blank-…`, still with the vendor's transport SO PIN) must
 * never be taken for one: erasing it would destroy the CA key.
 */
const chipCard = chipTemplate("Chip ID", "soLogin", 1);
const caLabel = "blank-ca";
const { dir } = createScratchFolder("tessera-chip-ca-token-");

describe.runIf(hasSoftHsm())("a CA token among the blank cards", () => {
  const softHsm = blankCardReaderForSuite(1, [caLabel]);
  let database: TestDatabase;
  let t: TestApp;
  let ops: { registrar: ApiClient; production: ApiClient };
  let keyId: string;

  beforeAll(async () => {
    process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    const started = await startTokenCa(
      "sqlite",
      path.join(dir, "tessera.sqlite"),
      { label: caLabel, keyType: "p384" },
      { options: { approvalStep: false }, templates: [...demoTemplates, chipCard] },
    );
    ({ t, database } = started);
    keyId = started.created.keyId;
    ops = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
  });
  afterAll(async () => {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    await t?.close();
    await database?.drop();
  });

  it("takes only the real blank card, and the CA key stays in its token", async () => {
    const { batchId } = await produceCardsForNewHolders(t, ops, {
      lastName: "Ca",
      count: 2,
      template: "Chip ID",
    });
    const batch = (await ops.production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(
      batch.items.map((item: { state: string; code: string | null }) => [item.state, item.code]),
    ).toEqual([
      ["done", null],
      ["failed", "pkcs11.no_blank_card"],
    ]);
    // The CA's token keeps its label, its PIN and its key.
    expect(softHsm.reader.privateKeyObjects(caLabel)).toContain(keyId);
  });
});
