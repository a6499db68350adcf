import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardTemplateSchema, demoTemplates } from "../domain/card-template.js";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { errorCodeOf } from "../test-support/errors.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { createCardEncoder } from "./card-encoders.js";

const chipCard = cardTemplateSchema.parse({
  name: "Smart card",
  profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "P-256" }],
  encoder: "pkcs11",
  pkcs11: { module: "/nonexistent/libcard-middleware.so" },
});

/**
 * Issue 9: a template configured with the PKCS#11 encoder silently produced software PKCS#12
 * tokens. A chip template's cards are now made only by a process that reaches its readers (a
 * production station); anywhere else they wait for one, and nothing makes them software tokens.
 */
describe("card encoders", () => {
  it("writes software tokens in a worker thread and refuses to make a chip card one", async () => {
    const software = createCardEncoder("software", { caCertificates: [], iterations: 2048 });
    const writing = await software.begin({
      cardId: "c1",
      cardNumber: "70010000001",
      pin: "123456",
      puk: "12345678",
      pukEncrypted: "x",
    });
    expect(await writing.generateKeyPair(chipCard.profiles[0]!)).toBeInstanceOf(Buffer);
    expect(errorCodeOf(() => createCardEncoder("pkcs11", { caCertificates: [], iterations: 2048 }))).toBe(
      "production.options_invalid",
    );
  });

  it("refuses a chip template without its pkcs11 settings, and pkcs11 settings on a software template", () => {
    expect(cardTemplateSchema.safeParse({ ...chipCard, pkcs11: undefined }).error?.issues[0]?.path).toEqual([
      "pkcs11",
    ]);
    expect(cardTemplateSchema.safeParse({ ...chipCard, encoder: "software" }).success).toBe(false);
    expect(
      cardTemplateSchema.safeParse({ ...chipCard, pkcs11: { module: "m", blankLabel: "(" } }).success,
    ).toBe(false);
  });

  describe("in a Tessera whose chip template's module cannot be loaded", () => {
    let t: TestApp;
    let ops: { registrar: ApiClient; production: ApiClient };
    beforeAll(async () => {
      t = await createTestApp("sqlite", {
        options: { approvalStep: false },
        config: { templates: [...demoTemplates, chipCard] },
      });
      ops = await loggedInOperators(t, {
        registrar: ["registrationOfficer"],
        production: ["productionAdministrator"],
      });
    });
    afterAll(() => t.close());

    it("says why it is no production station, and leaves the chip cards of a batch to one", async () => {
      expect(t.app.services.chipStation.refusal).toContain("/nonexistent/libcard-middleware.so");
      const chip = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Chip",
        count: 2,
        template: "Smart card",
      });
      const soft = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Soft",
        count: 4,
        template: "Employee ID",
      });
      // Chunks of 4: the software cards fill the first chunk, the chip cards the second.
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
        cardIds: [...soft, ...chip],
      });
      expect(order.status).toBe(202);
      t.app.runner.start();
      await t.app.runner.idle();
      const batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
      expect(batch).toMatchObject({ state: "running", done: 4, failed: 0, left: 2 });
      for (const id of chip) {
        const card = (await ops.production("GET", `/api/v1/cards/${id}`)).body;
        expect(card).toMatchObject({ state: "approved", batchId: order.body.batchId, tokenSerial: null });
        expect(card.certificates).toEqual([]);
        expect((await ops.production("GET", `/api/v1/cards/${id}/token`)).status).toBeGreaterThanOrEqual(400);
      }
    });
  });
});
