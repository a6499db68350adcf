import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { leaseChunkElsewhere, schedulerOfAnotherProcess } from "../test-support/batches.js";
import { dialects } from "../test-support/databases.js";
import type { TestApp } from "../test-support/test-app.js";

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
    const chunksOf = (t: TestApp, batchId: string) =>
      t.app.services.store.db
        .selectFrom("batch_chunks")
        .select(["state", "attempts"])
        .where("batch_id", "=", batchId)
        .execute();
    const templatesOf = (t: TestApp, batchId: string) =>
      t.app.services.store.db
        .selectFrom("batch_chunk_templates")
        .select(["chunk", "template"])
        .where("batch_id", "=", batchId)
        .execute();

    it("leaves a chunk of a template it lacks pending and untried, and one that makes it produces it", async () => {
      const { t, ops } = suite;
      const cardIds = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Elsewhere",
        count: 2,
        template: "Contractor badge",
      });
      const other = otherProcess(t, "other-work");
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      const { batchId } = order.body;
      other.start();
      try {
        await other.idle();
      } finally {
        await other.stop();
      }
      expect(await chunksOf(t, batchId)).toEqual([{ state: "pending", attempts: 0 }]);
      expect(await templatesOf(t, batchId)).toEqual([{ chunk: 1, template: "Contractor badge" }]);

      // This Tessera makes Contractor badges.
      t.app.runner.start();
      await t.app.runner.idle();
      const batch = (await ops.production("GET", `/api/v1/batches/${batchId}`)).body;
      expect(batch).toMatchObject({ state: "completed", done: 2, failed: 0 });
      expect(await chunksOf(t, batchId)).toEqual([{ state: "done", attempts: 1 }]);
      // Its templates were kept while it was to be taken, no longer.
      expect(await templatesOf(t, batchId)).toEqual([]);
    });

    it("still ends a cancelled batch's chunk left by a producer that died, whatever its templates", async () => {
      const { t, ops } = suite;
      const cardIds = await requestCardsForNewHolders(ops.registrar, {
        lastName: "Deserted",
        count: 2,
        template: "Contractor badge",
      });
      await t.app.runner.stop();
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      const { batchId } = order.body;
      // Its producer died mid-chunk (its lease ran out); then the batch was cancelled.
      await leaseChunkElsewhere(t, { batchId, chunk: 1 });
      expect((await ops.production("POST", `/api/v1/batches/${batchId}/cancel`)).status).toBe(200);
      // Only a process without the template is left: it ends the chunk (it cannot make its cards,
      // so they fail after the last attempt) rather than leave them held by the batch for ever.
      const other = otherProcess(t, "deserted-work");
      other.start();
      try {
        for (let waited = 0; ; waited += 50) {
          await other.idle();
          if ((await ops.production("GET", `/api/v1/batches/${batchId}`)).body.finishedAt) break;
          if (waited > 20_000) throw new Error("the cancelled batch never ended");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await other.stop();
      }
      const batch = (await ops.production("GET", `/api/v1/batches/${batchId}`)).body;
      expect(batch).toMatchObject({ state: "cancelled", failed: 2, finishing: false });
      for (const id of cardIds)
        expect((await ops.production("GET", `/api/v1/cards/${id}`)).body).toMatchObject({ batchId: null });
      expect(await templatesOf(t, batchId)).toEqual([]);
    });
  },
);

/** Another process on the same database, whose configuration lacks the Contractor badge template. */
function otherProcess(t: TestApp, workDir: string) {
  const { services } = t.app;
  return schedulerOfAnotherProcess(t, {
    workDir,
    services: {
      ...services,
      templates: new Map([...services.templates].filter(([name]) => name !== "Contractor badge")),
    },
    run: () => Promise.reject(new Error("this process cannot make Contractor badges")),
  });
}
