import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { TesseraError } from "../domain/errors.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { insertBenchHolders } from "../store/bench-holders.js";
import { findCardIds } from "../store/cards.js";
import { findOperatorByUsername } from "../store/operators.js";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");

/** Resolves when a `tessera worker` process says it is producing (or rejects when it ends first). */
function producing(worker: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = "";
    worker.stdout?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("producing batch orders")) resolve();
    });
    worker.once("exit", (code) =>
      reject(new Error(`a tessera worker ended before producing (exit code ${code})`)),
    );
  });
}

/**
 * `DATABASE_URL=postgres://…/empty npm run bench -- workers [--size N]` (an empty database): the same batch produced by
 * one `tessera worker` process, then by two, each pinned to its own core with one production
 * thread, sharing the batch through FOR UPDATE SKIP LOCKED. Reports both rates and their ratio.
 *
 * Each run measures production, not start-up: once every process says it is producing, a
 * warm-up batch of two chunks per process is produced (threads started, modules loaded, JIT
 * warm), then the measured batch is ordered and timed from its 10th to its 90th percent of cards
 * done, so neither the first chunks' start nor the last chunk's lone tail counts.
 */
export async function benchWorkersCommand({
  size,
  databaseUrl,
}: {
  size: number;
  databaseUrl: string | undefined;
}) {
  if (!databaseUrl?.startsWith("postgres"))
    throw new TesseraError("cli.usage", "bench workers needs DATABASE_URL=postgres://…");
  const pinned = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-workers-"));
  const chunkSize = 50;
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_ADMIN_PASSWORD: "bench administrator password",
    TESSERA_DEMO: "false",
    // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
    TESSERA_PUBLIC_URL: "https://id.example.org",
    // One production thread per process: each process has one core.
    TESSERA_WORKERS: "1",
    TESSERA_BATCH_CHUNK_SIZE: String(chunkSize),
    LOG_LEVEL: "warn",
  };
  const app = await createApp(loadConfig({ env }), { log: pino({ level: "warn" }) });
  try {
    const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
    const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
    let holders = 0;
    /** Orders a batch of `cards` new approved cards; resolves with its id. */
    const order = async (cards: number) => {
      await insertBenchHolders(app.services.store, cards, "approved", holders);
      holders += cards;
      const ids = await findCardIds(app.services.store.db, { state: "approved", unclaimed: true }, cards);
      const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", { cardIds: ids });
      return (result as { batchId: string }).batchId;
    };
    /** Waits for the batch to end; returns the seconds from its 10th to its 90th percent of cards done. */
    const produced = async (batchId: string, cards: number) => {
      const marks: number[] = [];
      for (;;) {
        const batch = (await findBatch(app.services.store.db, batchId))!;
        const finished = batch.done + batch.failed;
        if (marks.length === 0 && finished >= cards * 0.1) marks.push(performance.now());
        if (marks.length === 1 && finished >= cards * 0.9) marks.push(performance.now());
        if (batch.state !== "running") return { done: batch.done, seconds: (marks[1]! - marks[0]!) / 1000 };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const rate = async (processes: number) => {
      // Each process pinned to its own core, so two processes are measured against one on equal terms.
      const workers = Array.from({ length: processes }, (_, core) =>
        pinned
          ? spawn("taskset", ["-c", String(core), "node", cli, "worker"], {
              env,
              stdio: ["ignore", "pipe", "inherit"],
            })
          : spawn("node", [cli, "worker"], { env, stdio: ["ignore", "pipe", "inherit"] }),
      );
      try {
        // Their start (the CA key's decryption above all) is not production.
        await Promise.all(workers.map(producing));
        await produced(await order(processes * 2 * chunkSize), processes * 2 * chunkSize);
        const { done, seconds } = await produced(await order(size), size);
        if (done !== size) throw new Error(`${size - done} of the ${size} cards failed`);
        return Math.round((size * 0.8) / seconds);
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
      target: ">= 1.8",
      pinned: pinned ? "taskset -c 0 / -c 1" : "not pinned: taskset is missing",
      note: "each worker process runs one production thread; after a warm-up batch of two chunks per process, the batch is timed from its 10th to its 90th percent of cards done",
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
