import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { findBatch } from "../store/batches.js";
import { orderBatchOfNewHolders } from "../test-support/batches.js";
import { killWorkerWhen } from "../test-support/killed-worker.js";

const cli = path.resolve("dist/cli/main.js");
const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-crash-"));
const env = {
  ...process.env,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_ADMIN_PASSWORD: "crash test administrator",
  TESSERA_DEMO: "false",
  // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
  TESSERA_PUBLIC_URL: "https://id.example.org",
  TESSERA_BATCH_CHUNK_SIZE: "5",
  TESSERA_WORKERS: "2",
  LOG_LEVEL: "silent",
};
const cards = 120;

async function openApp(): Promise<App> {
  return createApp(loadConfig({ env: { ...env, TESSERA_DATA_DIR: dataDir } }));
}

/**
 * Starts `tessera worker` and kills it with SIGKILL, no chance to tidy up, once the batch has
 * `done` cards recorded (so the kill lands while later chunks are in the workers), or after
 * `ms` when `done` is 0 (during start-up).
 */
function killWhen(batchId: string, done: number, ms = 250): Promise<void> {
  return killWorkerWhen({ cli, env, dataDir, pollMs: 10 }, `${done} cards done`, (db, elapsed) => {
    const row = db.prepare("select done from batches where id = ?").get(batchId) as { done: number };
    return done === 0 ? elapsed >= ms : row.done >= done;
  });
}

describe("a batch survives SIGKILL at any point", () => {
  let batchId: string;

  beforeAll(async () => {
    batchId = await orderBatchOfNewHolders(openApp, {
      holders: cards,
      lastName: "Crash",
      template: "Employee ID",
      options: { certificateEndState: "onHold" },
    });
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("ends with every card fully issued exactly once, whatever moment the process died", async () => {
    // Kills at different moments: during start-up, then after 10, 35, … cards were recorded.
    await killWhen(batchId, 0, 150);
    await killWhen(batchId, 0, 600);
    for (const done of [10, 35, 60, 80, 95]) await killWhen(batchId, done);

    const app = await openApp();
    try {
      const { db } = app.services.store;
      const before = (await findBatch(db, batchId))!;
      expect(before.done + before.failed + before.left).toBe(cards);
      // The kills fell in the middle of production: some chunks were recorded, some were cut short.
      expect(before.done).toBeGreaterThan(0);
      expect(before.done).toBeLessThan(cards);
      const interrupted = await db
        .selectFrom("batch_chunks")
        .select("chunk")
        .where("batch_id", "=", batchId)
        .where("attempts", ">", 1)
        .execute();
      expect(interrupted.length).toBeGreaterThan(0);
      console.log(
        `before the last start: ${before.done} of ${cards} done; ${interrupted.length} chunks interrupted`,
      );
      app.runner.start();
      await app.runner.idle();
      const batch = (await findBatch(db, batchId))!;
      expect(batch).toMatchObject({ state: "completed", total: cards, done: cards, failed: 0, left: 0 });

      const rows = await db.selectFrom("cards").select(["id", "state", "batch_id"]).execute();
      expect(rows.every((c) => c.state === "issued" && c.batch_id === null)).toBe(true);
      const certificates = await db
        .selectFrom("certificates")
        .select(["card_id", "profile", "state"])
        .execute();
      expect(certificates).toHaveLength(cards * 2);
      const perCard = new Map<string, string[]>();
      for (const c of certificates)
        perCard.set(c.card_id!, [...(perCard.get(c.card_id!) ?? []), `${c.profile}:${c.state}`]);
      for (const card of rows)
        expect(perCard.get(card.id)?.sort()).toEqual(["authentication:onHold", "signature:onHold"]);
      const tokens = await db.selectFrom("card_tokens").select("card_id").execute();
      expect(new Set(tokens.map((t) => t.card_id)).size).toBe(cards);
      const items = await db
        .selectFrom("batch_items")
        .select("state")
        .where("batch_id", "=", batchId)
        .execute();
      expect(items.every((i) => i.state === "done")).toBe(true);
      const parts = await db
        .selectFrom("batch_parts")
        .select(["kind", "pages"])
        .where("batch_id", "=", batchId)
        .execute();
      expect(parts.filter((p) => p.kind === "pinLetters").reduce((n, p) => n + p.pages, 0)).toBe(cards);
      expect(await app.services.audit.verify(db)).toMatchObject({ valid: true });
    } finally {
      await app.close();
    }
  });
});
