import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { createBatchScheduler } from "./scheduler.js";

/**
 * A chunk's part files hold its PIN letters until the chunk is recorded: however its production
 * ends, none is left in the work folder. A producer that failed after writing them (a worker that
 * died before it answered) left them there, for good.
 */
describe.each(dialects)("a chunk's part files are removed however its production ends, on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    operators: ["registrar", "production"],
  });

  it("removes the parts a producer wrote before it failed", async () => {
    const { t, ops } = suite;
    const cardIds = await requestCardsForNewHolders(ops.registrar, {
      lastName: "Leftover",
      count: 2,
      template: "Employee ID",
    });
    await t.app.runner.stop();
    const written: string[] = [];
    const scheduler = createBatchScheduler({
      services: t.app.services,
      producer: () => ({
        size: 1,
        run: async (job) => {
          for (const part of [job.printFilePath, job.pinLettersPath]) {
            writeFileSync(part, "PIN 123456", { mode: 0o600 });
            written.push(part);
          }
          throw new Error("the production worker ended before it answered");
        },
        close: async () => {},
      }),
      log: pino({ level: "silent" }),
      workDir: path.join(t.app.config.dataDir, "leftover-work"),
      organizationName: "Test",
      activationUrl: "http://localhost/activate",
      maxAttempts: 1,
    });
    const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect(order.status).toBe(202);
    scheduler.start();
    try {
      await scheduler.idle();
    } finally {
      await scheduler.stop();
    }
    const batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch).toMatchObject({ done: 0, failed: 2 });
    expect(written).toHaveLength(2);
    for (const part of written) expect(existsSync(part), part).toBe(false);
  });
});
