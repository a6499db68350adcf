import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import { schedulerOfAnotherProcess } from "../test-support/batches.js";
import { simulatedChipCardForSuite, startChipTessera } from "../test-support/chip-cards.js";

/**
 * A station that loses its chunk's lease (another producer took the chunk over after a stall)
 * must touch no further chip: the other producer now owns the cards. Found by an attack review:
 * the station went on writing certificates to chips whose journal the other producer settled.
 */
/** SoftHSM made as slow as a real chip, in whichever thread calls it. */
const { simulated, chipCard } = simulatedChipCardForSuite();
const tools = simulated !== undefined;

describe.runIf(tools)("a chip station that loses its lease", () => {
  const chip = startChipTessera({ chipCard, blanks: 3 });

  it("stops before writing a certificate to a chip once another producer holds the chunk", async () => {
    const { t, ops, reader } = chip;
    const module = t.app.services.chipStation.moduleFor(chipCard.pkcs11!);
    // Slow key generation, as a real chip's: the lease is renewed three times a lease.
    simulated!.simulate([{ call: "C_GenerateKeyPair", delayMs: 400 }]);
    const runner = schedulerOfAnotherProcess(t, { workDir: "lease-work", leaseMs: 300, maxAttempts: 1 });
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
      simulated!.simulate([]);
      await runner.stop();
    }
  }, 60_000);
});
