import { existsSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { produceCardsForNewHolders, testAppForSuite } from "../test-support/api-setup.js";
import { schedulerOfAnotherProcess } from "../test-support/batches.js";
import { dialects } from "../test-support/databases.js";

/**
 * A chunk's part files hold its PIN letters until the chunk is recorded: however its production
 * ends, none is left in the work folder. A producer that failed after writing them (a worker that
 * ended before it answered) left them there, for good.
 */
describe.each(dialects)("a chunk's part files are removed however its production ends, on %s", (dialect) => {
  const suite = testAppForSuite(dialect, {
    options: { approvalStep: false },
    operators: ["registrar", "production"],
  });

  it("removes the parts a producer wrote before it failed", async () => {
    const { t, ops } = suite;
    await t.app.runner.stop();
    const written: string[] = [];
    const elsewhere = schedulerOfAnotherProcess(t, {
      workDir: "leftover-work",
      maxAttempts: 1,
      run: async (job) => {
        for (const part of [job.printFilePath, job.pinLettersPath]) {
          writeFileSync(part, "PIN 123456", { mode: 0o600 });
          written.push(part);
        }
        throw new Error("the production worker ended before it answered");
      },
    });
    try {
      const holders = { lastName: "Leftover", count: 2, template: "Employee ID" };
      const { batchId } = await produceCardsForNewHolders(t, ops, holders, elsewhere);
      expect((await ops.production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
        done: 0,
        failed: 2,
      });
    } finally {
      await elsewhere.stop();
    }
    expect(written).toHaveLength(2);
    for (const part of written) expect(existsSync(part), part).toBe(false);
  });
});
