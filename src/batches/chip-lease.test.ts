import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate } from "../test-support/chip-cards.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  transportSoPin,
} from "../test-support/softhsm.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { createBatchScheduler } from "./scheduler.js";

/**
 * A station that loses its chunk's lease (another producer took the chunk over after a stall)
 * must touch no further chip: the other producer now owns the cards. Found by an attack review:
 * the station went on writing certificates to chips whose journal the other producer settled.
 */
const chipCard = chipTemplate("Chip ID", "soLogin", 1);

describe.runIf(hasSoftHsm())("a chip station that loses its lease", () => {
  let reader: BlankCardReader;
  let t: TestApp;
  let ops: { registrar: ApiClient; production: ApiClient };

  beforeAll(async () => {
    reader = createBlankCardReader(3);
    process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    t = await createTestApp("sqlite", {
      options: { approvalStep: false },
      config: { templates: [...demoTemplates, chipCard] },
    });
    ops = await loggedInOperators(t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
  });
  afterAll(async () => {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    await t?.close();
    reader?.remove();
  });

  it("stops before writing a certificate to a chip once another producer holds the chunk", async () => {
    const module = t.app.services.chipStation.moduleFor(chipCard.pkcs11!);
    const generate = module.api.C_GenerateKeyPairAsync.bind(module.api);
    // Slow key generation, as a real chip's: the lease is renewed three times a lease.
    module.api.C_GenerateKeyPairAsync = async (...args: Parameters<typeof generate>) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return generate(...args);
    };
    const runner = createBatchScheduler({
      services: t.app.services,
      producer: () => ({
        size: 1,
        run: () => Promise.reject(new Error("no software cards here")),
        close: async () => {},
      }),
      log: pino({ level: "silent" }),
      workDir: path.join(t.app.config.dataDir, "lease-work"),
      organizationName: "Test",
      activationUrl: "http://localhost/activate",
      leaseMs: 300,
      maxAttempts: 1,
    });
    try {
      const cardIds = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Lease",
        count: 2,
        template: "Chip ID",
      });
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      const { db } = t.app.services.store;
      runner.start();
      // Once the first chip is journalled, another producer takes the chunk over.
      for (
        let waited = 0;
        (await db.selectFrom("chip_journal").selectAll().execute()).length === 0;
        waited++
      ) {
        if (waited > 500) throw new Error("no chip was journalled");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await db
        .updateTable("batch_chunks")
        .set({ claimed_by: "elsewhere", lease_until: new Date(Date.now() + 3_600_000).toISOString() })
        .where("batch_id", "=", order.body.batchId)
        .execute();
      await runner.idle();
      await runner.stop();
      // No chip got a certificate after the takeover: the first card stopped before writing its
      // first one, and the second card was never started.
      const labels = module.listTokens().map((token) => token.label);
      for (const label of labels)
        expect(reader.pkcs11Tool("--token-label", label, "--list-objects")).not.toContain(
          "Certificate Object",
        );
      const cards = await db.selectFrom("cards").select("state").where("id", "in", cardIds).execute();
      expect(cards.map((card) => card.state)).toEqual(["approved", "approved"]);
    } finally {
      module.api.C_GenerateKeyPairAsync = generate;
      await runner.stop();
    }
  }, 60_000);
});
