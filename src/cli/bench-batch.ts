import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type App, createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { formatCardNumber } from "../domain/card-number.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import { benchCardCeiling } from "../production/bench-chunk.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { findOperatorByUsername } from "../store/operators.js";

/** N users with one approved Employee ID card each, inserted in bulk (set-up, not measured). */
export async function seedApprovedCards(
  app: App,
  count: number,
  state = "approved",
  offset = 0,
): Promise<void> {
  const { db } = app.services.store;
  const at = new Date().toISOString();
  for (let start = 0; start < count; start += 2000) {
    const n = Math.min(2000, count - start);
    const i = offset + start;
    const users = Array.from({ length: n }, (_, k) => {
      const j = i + k;
      return {
        id: randomUUID(),
        identifier: `BENCH-${j}`,
        first_name: `Holder${j % 997}`,
        last_name: `Bench${j % 1009}`,
        email: `holder${j}@example.org`,
        organizational_unit: `Unit ${j % 20}`,
        organization: "Tessera Bench Office",
        title: null,
        upn: null,
        address: JSON.stringify([`Storgatan ${(j % 90) + 1}`, "111 20 Stockholm"]),
        photo: null,
        photo_type: null,
        state: "active",
        search_name: `bench${j % 1009} holder${j % 997}`,
        created_by: "bench",
        created_at: at,
        updated_at: at,
      };
    });
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < users.length; k += 500)
        await trx
          .insertInto("users")
          .values(users.slice(k, k + 500))
          .execute();
      const cards = users.map((u, k) => ({
        id: randomUUID(),
        card_number: formatCardNumber("9", 9, i + k + 1),
        user_id: u.id,
        template: "Employee ID",
        state,
        holder_name: `${u.first_name} ${u.last_name}`,
        holder_key: u.search_name,
        organizational_unit: u.organizational_unit,
        batch_id: null,
        version: 1,
        requested_by: "bench",
        requested_at: new Date(Date.parse(at) + i + k).toISOString(),
        decided_by: "bench",
        decided_at: at,
        reason: null,
        puk_encrypted: null,
        issued_at: null,
        expires_at: null,
        updated_at: at,
      }));
      for (let k = 0; k < cards.length; k += 500)
        await trx
          .insertInto("cards")
          .values(cards.slice(k, k + 500))
          .execute();
    });
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * `npm run bench -- batch [--size N]`: issues N software cards (Employee ID: two P-256
 * certificates) through the whole path — order, claim, worker threads, database records, PDF
 * parts — and puts the rate next to the bare-crypto ceiling measured in the same run.
 */
export async function benchBatchCommand({
  size,
  databaseUrl,
}: {
  size: number;
  databaseUrl?: string | undefined;
}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-batch-"));
  const env: NodeJS.ProcessEnv = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_ADMIN_PASSWORD: "bench administrator password",
    TESSERA_DEMO: "false",
    // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
    TESSERA_PUBLIC_URL: "https://id.example.org",
    LOG_LEVEL: "warn",
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
  };
  const app = await createApp(loadConfig({ env }), { log: pino({ level: process.env.LOG_LEVEL ?? "warn" }) });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
    const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
    const seedStart = performance.now();
    await seedApprovedCards(app, size);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const rssBefore = process.memoryUsage().rss;

    const started = performance.now();
    const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", {
      filter: { template: "Employee ID" },
      options: { certificateEndState: "onHold" },
    });
    const orderSeconds = (performance.now() - started) / 1000;
    const { batchId } = result as { batchId: string };
    app.runner.start();
    await app.runner.idle();
    const seconds = (performance.now() - started) / 1000;
    const batch = (await findBatch(app.services.store.db, batchId))!;
    const ms = (
      await app.services.store.db
        .selectFrom("batch_items")
        .select("ms")
        .where("batch_id", "=", batchId)
        .execute()
    )
      .map((r) => r.ms ?? 0)
      .sort((a, b) => a - b);
    clearInterval(sampler);
    await app.runner.stop();

    const ceiling = await benchCardCeiling({ cards: Math.min(size, 4000), threads: availableParallelism() });
    const cardsPerSecond = Math.round(batch.done / seconds);
    return {
      benchmark: "batch",
      database: app.services.store.dialect,
      cores: availableParallelism(),
      cards: size,
      done: batch.done,
      failed: batch.failed,
      seconds: Math.round(seconds * 10) / 10,
      orderAndClaimSeconds: Math.round(orderSeconds * 100) / 100,
      cardsPerSecond,
      ceilingCardsPerSecond: Math.round(ceiling.cardsPerSecond),
      ratio: Math.round((cardsPerSecond / ceiling.cardsPerSecond) * 100) / 100,
      target: ">= 0.8",
      workerMsPerCard: { p50: percentile(ms, 50), p99: percentile(ms, 99) },
      peakRssMb: Math.round(peakRss / 1048576),
      rssBeforeBatchMb: Math.round(rssBefore / 1048576),
      seedSeconds: Math.round(seedSeconds * 10) / 10,
    };
  } finally {
    clearInterval(sampler);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
