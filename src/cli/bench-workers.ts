import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { findOperatorByUsername } from "../store/operators.js";
import { UsageError } from "./args.js";
import { seedApprovedCards } from "./bench-batch.js";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.js");

/**
 * `DATABASE_URL=postgres://…/empty npm run bench -- workers [--size N]` (an empty database): the same batch produced by
 * one `tessera worker` process, then by two, each with one production thread, sharing the
 * batch through FOR UPDATE SKIP LOCKED. Reports both rates and their ratio.
 */
export async function benchWorkersCommand({
  size,
  databaseUrl,
}: {
  size: number;
  databaseUrl: string | undefined;
}) {
  if (!databaseUrl?.startsWith("postgres"))
    throw new UsageError("bench workers needs DATABASE_URL=postgres://…");
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-workers-"));
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_ADMIN_PASSWORD: "bench administrator password",
    TESSERA_DEMO: "false",
    // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
    TESSERA_PUBLIC_URL: "https://id.example.org",
    TESSERA_WORKERS: "1",
    TESSERA_BATCH_CHUNK_SIZE: "50",
    LOG_LEVEL: "warn",
  };
  const app = await createApp(loadConfig({ env }), { log: pino({ level: "warn" }) });
  try {
    const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
    const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
    await seedApprovedCards(app, size * 2, "approved");
    const rate = async (processes: number) => {
      const ids = await app.services.store.db
        .selectFrom("cards")
        .select("id")
        .where("state", "=", "approved")
        .where("batch_id", "is", null)
        .orderBy("requested_at")
        .limit(size)
        .execute();
      const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", {
        cardIds: ids.map((r) => r.id),
      });
      const { batchId } = result as { batchId: string };
      const started = performance.now();
      const workers = Array.from({ length: processes }, () =>
        spawn("node", [cli, "worker"], { env, stdio: "ignore" }),
      );
      try {
        for (;;) {
          const batch = (await findBatch(app.services.store.db, batchId))!;
          if (batch.state !== "running")
            return Math.round(batch.done / ((performance.now() - started) / 1000));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        for (const w of workers) w.kill("SIGTERM");
        await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
      }
    };
    const one = await rate(1);
    const two = await rate(2);
    return {
      benchmark: "workers",
      database: "postgres",
      cards: size,
      oneWorkerCardsPerSecond: one,
      twoWorkersCardsPerSecond: two,
      ratio: Math.round((two / one) * 100) / 100,
      target: ">= 1.7",
      note: "each worker process runs one production thread; timed from the first chunk taken to the batch's end",
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
