import { existsSync, readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBatchPart } from "../store/batch-parts.js";
import { type ApiClient, produceBatch, requestCardsForNewHolders } from "../test-support/api-setup.js";
import { dialects } from "../test-support/databases.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Finding 8 of issue 8: a purged PIN-letter PDF's bytes stayed in the database file and the
 * WAL until some later checkpoint. The purge now checkpoints and truncates the WAL itself
 * (secure_delete has zeroed the freed pages), and on PostgreSQL vacuums the table.
 */
describe.each(dialects)("purging PIN letters erases their bytes on %s", (dialect) => {
  let t: TestApp;
  let chief: ApiClient;

  async function producedBatch(lastName = "Purgeable"): Promise<string> {
    const registrar = apiAs(t.server, await t.login("registrar"));
    const cardIds = await requestCardsForNewHolders(registrar, {
      lastName,
      count: 2,
      template: "Employee ID",
    });
    return produceBatch(t, chief, cardIds);
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { approvalStep: false } });
    await t.operator("registrar", ["registrationOfficer"]);
    // One operator allowed both the purge and the batch order, so the test reads the same on today's code.
    await t.operator("chief", ["productionAdministrator", "pinMailer"]);
    chief = apiAs(t.server, await t.login("chief"));
  });
  afterAll(() => t.close());

  it("leaves no byte run of a purged PIN-letter part in the database file or its WAL", async () => {
    if (dialect !== "sqlite") return;
    const batchId = await producedBatch();
    const { db } = t.app.services.store;
    const part = (await readBatchPart(db, batchId, "pinLetters", 1))!;
    expect(part.length).toBeGreaterThan(1000);
    // A run from the middle of the part: the page content, not the PDF header every part shares.
    const run = part.subarray(Math.floor(part.length / 2), Math.floor(part.length / 2) + 48);
    expect(part.indexOf(run)).toBe(Math.floor(part.length / 2));
    const file = (t.app.config.database as { file: string }).file;
    const files = [file, `${file}-wal`, `${file}-shm`];
    const holding = () => files.filter((f) => existsSync(f) && readFileSync(f).includes(run));
    expect(holding().length).toBeGreaterThan(0);

    const purge = await chief("DELETE", `/api/v1/batches/${batchId}/pin-letters`);
    expect(purge.status).toBe(200);
    expect(holding()).toEqual([]);
    // The print file of the same batch is untouched.
    expect((await readBatchPart(db, batchId, "print", 1))?.length).toBeGreaterThan(1000);
  });

  it("vacuums the PIN-letter table after the purge has committed", async () => {
    if (dialect !== "postgres") return;
    const batchId = await producedBatch();
    const { db } = t.app.services.store;
    const lastVacuum = async () =>
      (
        await sql<{ last_vacuum: Date | null }>`
          select last_vacuum from pg_stat_user_tables where relname = 'batch_parts'`.execute(db)
      ).rows[0]?.last_vacuum ?? null;
    expect(await lastVacuum()).toBeNull();
    const purge = await chief("DELETE", `/api/v1/batches/${batchId}/pin-letters`);
    expect(purge.status).toBe(200);
    expect(await readBatchPart(db, batchId, "pinLetters", 1)).toBeUndefined();
    await expect.poll(lastVacuum, { timeout: 5000 }).not.toBeNull();
  });

  // After the vacuum test, which wants the first purge of its database.
  it("lists the batches whose PIN letters are kept, for the mailroom to send and purge, until purged", async () => {
    const batchId = await producedBatch("Mailed");
    const kept = async () =>
      ((await chief("GET", "/api/v1/batches?pinLetters=kept&limit=50")).body.items as { id: string }[]).map(
        (batch) => batch.id,
      );
    expect(await kept()).toContain(batchId);
    expect((await chief("DELETE", `/api/v1/batches/${batchId}/pin-letters`)).status).toBe(200);
    expect(await kept()).not.toContain(batchId);
    const purged = (await chief("GET", "/api/v1/batches?pinLetters=purged&limit=50")).body.items as {
      id: string;
    }[];
    expect(purged.map((batch) => batch.id)).toContain(batchId);
    const wrong = await chief("GET", "/api/v1/batches?pinLetters=lost");
    expect([wrong.status, wrong.body.error.code]).toEqual([400, "request.invalid"]);
  });
});
