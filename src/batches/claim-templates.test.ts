import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createBatchScheduler } from "./scheduler.js";

/**
 * Processes sharing one database need not share a configuration: two production stations hold
 * readers of different card types, and a worker may be set up for some templates only. A process
 * takes only the chunks whose cards it makes; one of a template it lacks waits, untried, for a
 * process that makes it (it was taken, failed "not configured" three times, and its cards failed).
 */
describe.each(dialects)(
  "a process takes only the chunks of the card templates it makes, on %s",
  (dialect) => {
    const suite = testAppForSuite(dialect, {
      options: { approvalStep: false },
      operators: ["registrar", "production"],
    });

    it("leaves a chunk of a template it lacks pending and untried, and one that makes it produces it", async () => {
      const { t, ops } = suite;
      const cardIds = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Elsewhere",
        count: 2,
        template: "Contractor badge",
      });
      const { services } = t.app;
      // A second process whose configuration lacks the Contractor badge template.
      const other = createBatchScheduler({
        services: {
          ...services,
          templates: new Map([...services.templates].filter(([name]) => name !== "Contractor badge")),
        },
        producer: () => ({
          size: 1,
          run: () => Promise.reject(new Error("this process was not to make the chunk")),
          close: async () => {},
        }),
        log: pino({ level: "silent" }),
        workDir: path.join(t.app.config.dataDir, "other-work"),
        organizationName: "Test",
        activationUrl: "http://localhost/activate",
      });
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      const { batchId } = order.body;
      other.start();
      try {
        await other.idle();
      } finally {
        await other.stop();
      }
      const chunks = () =>
        services.store.db
          .selectFrom("batch_chunks")
          .select(["state", "attempts"])
          .where("batch_id", "=", batchId)
          .execute();
      expect(await chunks()).toEqual([{ state: "pending", attempts: 0 }]);

      // This Tessera makes Contractor badges.
      t.app.runner.start();
      await t.app.runner.idle();
      const batch = (await ops.production("GET", `/api/v1/batches/${batchId}`)).body;
      expect(batch).toMatchObject({ state: "completed", done: 2, failed: 0 });
      expect(await chunks()).toEqual([{ state: "done", attempts: 1 }]);
    });
  },
);
