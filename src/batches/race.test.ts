import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { findOperatorByUsername } from "../store/operators.js";
import { approvedCards, appWithManyApprovedCards } from "../test-support/approved-cards.js";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";

async function expectEachCardProducedOnce(app: App, cardIds: string[]) {
  const { db } = app.services.store;
  const certificates = await db.selectFrom("certificates").select("card_id").execute();
  const counts = new Map<string, number>();
  for (const c of certificates) counts.set(c.card_id!, (counts.get(c.card_id!) ?? 0) + 1);
  for (const id of cardIds) expect(counts.get(id), id).toBe(2);
  const tokens = await db.selectFrom("card_tokens").select("card_id").execute();
  expect(tokens).toHaveLength(cardIds.length);
  const states = await db
    .selectFrom("cards")
    .select("state")
    .where("id", "in", cardIds.slice(0, 1000))
    .execute();
  expect(states.every((s) => s.state === "issued")).toBe(true);
}

describe.each(dialects)("two batch orders over the same 1,000 cards at once on %s", (dialect) => {
  it("splits the cards between the orders and produces each card exactly once", async () => {
    const { t, actor, cardIds } = await appWithManyApprovedCards(dialect, {
      count: 1000,
      prefix: "RACE",
      chunkSize: 50,
    });
    try {
      const outcomes = await Promise.allSettled([
        runProcess(t.app.services, actor, "CardsBoProcIssueMultiple", { cardIds }),
        runProcess(t.app.services, actor, "CardsBoProcIssueMultiple", { cardIds: [...cardIds].reverse() }),
      ]);
      // Either the orders split the cards, or one took them all and the other was refused whole.
      const orders = outcomes.flatMap((o) =>
        o.status === "fulfilled" ? [o.value.result as { batchId: string; claimed: number }] : [],
      );
      for (const o of outcomes)
        if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "batch.nothing_claimed" });
      expect(orders.reduce((n, o) => n + o.claimed, 0)).toBe(1000);
      t.app.runner.start();
      await t.app.runner.idle();
      let done = 0;
      for (const o of orders) done += (await findBatch(t.app.services.store.db, o.batchId))!.done;
      expect(done).toBe(1000);
      await expectEachCardProducedOnce(t.app, cardIds);
    } finally {
      await t.close();
    }
  });
});

describe.runIf(dialects.includes("postgres"))("two worker processes on one PostgreSQL batch", () => {
  let database: TestDatabase;
  const workers: ChildProcess[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-workers-"));
  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shares the chunks between the processes and produces each card exactly once", async () => {
    database = await createTestDatabase("postgres");
    const url = (database.settings as { url: string }).url;
    const env = {
      ...process.env,
      DATABASE_URL: url,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ADMIN_PASSWORD: "two workers administrator",
      TESSERA_DEMO: "false",
      // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
      TESSERA_PUBLIC_URL: "https://id.example.org",
      TESSERA_BATCH_CHUNK_SIZE: "10",
      TESSERA_WORKERS: "1",
      LOG_LEVEL: "silent",
    };
    const app = await createApp(loadConfig({ env }));
    try {
      const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
      const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
      await app.services.store.db
        .updateTable("process_options")
        .set({ options: JSON.stringify({ ...(await app.services.getOptions()), approvalStep: false }) })
        .execute();
      const cardIds = await approvedCards(app, actor, 300, "TWO");
      const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", { cardIds });
      const { batchId } = result as { batchId: string };
      for (let i = 0; i < 2; i++)
        workers.push(spawn("node", [path.resolve("dist/cli/main.js"), "worker"], { env, stdio: "ignore" }));
      for (let waited = 0; ; waited += 200) {
        const batch = (await findBatch(app.services.store.db, batchId))!;
        if (batch.state !== "running") break;
        if (waited > 90_000) throw new Error(`batch still running: ${JSON.stringify(batch)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await findBatch(app.services.store.db, batchId)).toMatchObject({
        state: "completed",
        done: 300,
      });
      const producers = await app.services.store.db
        .selectFrom("batch_chunks")
        .select("claimed_by")
        .distinct()
        .where("batch_id", "=", batchId)
        .execute();
      expect(producers).toHaveLength(2);
      await expectEachCardProducedOnce(app, cardIds);
    } finally {
      await app.close();
    }
  });
});
