import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../app.js";
import { loadConfig } from "../config.js";
import { TesseraError } from "../domain/errors.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findItemFinishTimes } from "../store/batch-items.js";
import { findBatch } from "../store/batches.js";
import { analyzeTables, insertBenchHolders } from "../store/bench-holders.js";
import { findCardIds } from "../store/cards.js";
import { findOperatorByUsername } from "../store/operators.js";
import { benchLog } from "./bench-app.js";
import { runCeilingProcess } from "./ceiling-process.js";
import { medianItem, round } from "./measure.js";
import { cpuSecondsOf } from "./process-cpu.js";
import { spawnNode } from "./spawn-node.js";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");

/**
 * The bare crypto of `cards` software cards (`ceiling-process.ts`) in `processes` processes of
 * one thread, each pinned to its own core as the worker processes are, begun together; answers
 * their cards per second together. Two cores do not make twice one core's crypto on every
 * machine (a shared cache, a host whose cores are siblings, a clock that slows with both busy):
 * two against one of this is the most two worker processes could reach against one.
 */
async function cryptoRate(processes: number, cards: number, pinned: boolean): Promise<number> {
  // Time enough for every process to load and ready its thread before they begin together.
  const startAt = Date.now() + 2000;
  // One that fails stops the others: none goes on loading the cores after the bench has ended.
  const failed = new AbortController();
  const results = await Promise.all(
    Array.from({ length: processes }, (_, core) =>
      runCeilingProcess({ cards, startAt, signal: failed.signal, ...(pinned && { core }) }),
    ),
  ).catch((error: unknown) => {
    failed.abort();
    throw error;
  });
  // Rates summed are the rate together only if the processes ran together.
  const late = Math.max(...results.map((result) => result.startedAt)) - startAt;
  if (late > 250)
    throw new Error(`a ceiling process began ${late} ms late: the machine is too busy to measure`);
  return Math.round(results.reduce((sum, result) => sum + result.cards / result.seconds, 0));
}

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
 * `DATABASE_URL=postgres://…/empty npm run bench -- workers [--size N]` (an empty database): the
 * same batch (by default 40 chunks of the configured size) produced by one `tessera worker`
 * process, then by two, each pinned to its own core with one production thread, sharing the batch
 * through FOR UPDATE SKIP LOCKED. Reports both rates and their ratio, and beside it the same
 * ratio of the bare crypto on the same cores, measured in each round (see {@link cryptoRate}):
 * the limit of the first on this machine.
 *
 * Each run measures production, not start-up: once every process says it is producing, a
 * warm-up batch of two chunks per process is produced (threads started, modules loaded, JIT
 * warm), then the measured batch is ordered and timed from its 10th to its 90th percent of cards
 * done, so neither the first chunks' start nor the last chunk's lone tail counts.
 *
 * Where PostgreSQL runs on this machine, the CPU time a card takes in it (P) and in the worker
 * processes (W) is read from /proc around the measured batch. One process has its core and
 * PostgreSQL the other; two share both cores with PostgreSQL, so two make at most
 * `cryptoRatio / (1 + P/W)` times what one makes (`limit`, with P/W as one process measured it:
 * `postgresShare`) — if one process is held back by its core alone, not by waits on the database,
 * and PostgreSQL's CPU a card grows with both cores busy as the crypto's does. On the machine
 * this was written on, P/W was 0.07–0.13. The same figures show a host that slows when both its
 * cores are busy: there, in two rounds of three, a card took the two processes 45–57 % more CPU
 * time each than it took one (3.5–3.7 against 5.3–5.4 ms).
 */
export async function benchWorkersCommand({
  size,
  databaseUrl,
}: {
  /** Cards of the timed batch; by default 40 chunks. */
  size: number | undefined;
  databaseUrl: string | undefined;
}) {
  if (!databaseUrl?.startsWith("postgres"))
    throw new TesseraError("cli.usage", "bench workers needs DATABASE_URL=postgres://…");
  const pinned = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-workers-"));
  try {
    return await measureWorkers({ size, databaseUrl, pinned, dataDir });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** {@link benchWorkersCommand} with its data folder, which the caller removes. */
async function measureWorkers({
  size,
  databaseUrl,
  pinned,
  dataDir,
}: {
  size: number | undefined;
  databaseUrl: string;
  pinned: boolean;
  dataDir: string;
}) {
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
    LOG_LEVEL: "warn",
  };
  const config = loadConfig({ env });
  // The chunks an office's batches have (TESSERA_BATCH_CHUNK_SIZE, by default 250), as in `bench
  // batch`. The batch is timed between its 10th and 90th percent of cards, which finish a chunk
  // at a time: with fewer than 20 chunks, one chunk more or less in that span moves the rate 5 %.
  const { chunkSize } = config.batch;
  const cards = size ?? 40 * chunkSize;
  if (!(cards >= 20 * chunkSize))
    throw new TesseraError(
      "cli.usage",
      `bench workers needs --size of at least ${20 * chunkSize} cards: 20 chunks of ${chunkSize} (TESSERA_BATCH_CHUNK_SIZE).`,
    );
  const app = await createApp(config, { log: benchLog("warn") });
  try {
    const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
    const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
    let holders = 0;
    /**
     * Orders a batch of `cards` new approved cards; resolves with its id. Before the measured
     * batch (`vacuumed`) the tables are vacuumed and analyzed, as autovacuum keeps a deployment's
     * (it is off on this project's machines): otherwise each phase starts on the dead row
     * versions every earlier phase left in `cards` (two for each card made) and `batch_items`,
     * with statistics from before they grew, and two processes, which always run after one, on
     * more of them.
     */
    const order = async (cards: number, { vacuumed }: { vacuumed: boolean }) => {
      await insertBenchHolders(app.services.store, cards, "approved", holders);
      holders += cards;
      if (vacuumed) await analyzeTables(app.services.store);
      const ids = await findCardIds(app.services.store.db, { state: "approved", unclaimed: true }, cards);
      const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", { cardIds: ids });
      return (result as { batchId: string }).batchId;
    };
    /**
     * Waits for the batch to end; returns the seconds from its 10th to its 90th percent of cards
     * done, as the cards' recorded finish times tell. Polling the progress often would itself
     * load the PostgreSQL the workers share; the finish times are exact and cost one query.
     */
    const produced = async (batchId: string, cards: number) => {
      for (;;) {
        const batch = (await findBatch(app.services.store.db, batchId))!;
        if (batch.state !== "running") {
          const finished = await findItemFinishTimes(app.services.store.db, batchId);
          if (finished.length !== cards)
            throw new Error(`${cards - finished.length} of the ${cards} cards did not finish`);
          const at = (share: number) => finished[Math.ceil(cards * share) - 1]!;
          return { done: batch.done, seconds: (at(0.9) - at(0.1)) / 1000 };
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    /**
     * The measured batch's cards per second with `processes` worker processes, and the CPU time a
     * card took in the worker processes and in PostgreSQL's (when it runs on this machine).
     */
    const rate = async (processes: number) => {
      // Each process pinned to its own core, so two processes are measured against one on equal terms.
      const workers = Array.from({ length: processes }, (_, core) =>
        spawnNode([cli, "worker"], { env, ...(pinned && { core }) }),
      );
      const pids = workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
      const cpu = () => ({
        workers: cpuSecondsOf({ pids }),
        postgres: cpuSecondsOf({ command: "postgres" }),
      });
      const msPerCard = (from: number | undefined, to: number | undefined) =>
        from === undefined || to === undefined ? null : round(((to - from) * 1000) / cards, 2);
      try {
        // Their start (the CA key's decryption above all) is not production.
        await Promise.all(workers.map(producing));
        const warmUp = processes * 2 * chunkSize;
        await produced(await order(warmUp, { vacuumed: false }), warmUp);
        const batchId = await order(cards, { vacuumed: true });
        const before = cpu();
        const { done, seconds } = await produced(batchId, cards);
        const after = cpu();
        if (done !== cards) throw new Error(`${cards - done} of the ${cards} cards failed`);
        return {
          cardsPerSecond: Math.round((cards * 0.8) / seconds),
          workerCpuMsPerCard: msPerCard(before.workers, after.workers),
          postgresCpuMsPerCard: msPerCard(before.postgres, after.postgres),
        };
      } finally {
        for (const w of workers) w.kill("SIGTERM");
        await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
      }
    };
    // One process and two take turns, three rounds: a machine whose load drifts (other
    // services, neighbours on the host) then weighs on both alike, and the median round decides.
    const rounds: {
      one: number;
      two: number;
      ratio: number;
      cryptoRatio: number;
      ofCryptoRatio: number;
      cpuMsPerCard: Record<"one" | "two", { workers: number | null; postgres: number | null }>;
      postgresShare: number | null;
      limit: number | null;
    }[] = [];
    // Enough cards for a few seconds of one core's crypto.
    const cryptoCards = 1500;
    for (let turn = 0; turn < 3; turn++) {
      const measuredOne = await rate(1);
      const measuredTwo = await rate(2);
      const one = measuredOne.cardsPerSecond;
      const two = measuredTwo.cardsPerSecond;
      // One before two and one after, averaged: a machine whose speed drifts then weighs on both alike.
      const cryptoOneBefore = await cryptoRate(1, cryptoCards, pinned);
      const cryptoTwo = await cryptoRate(2, cryptoCards, pinned);
      const cryptoOne = (cryptoOneBefore + (await cryptoRate(1, cryptoCards, pinned))) / 2;
      const ratio = two / one;
      const cryptoRatio = cryptoTwo / cryptoOne;
      // PostgreSQL's CPU a card over the worker's, with one process: on this machine it runs on
      // the core the one process leaves free, but takes its share of both cores from two.
      const { workerCpuMsPerCard: w, postgresCpuMsPerCard: p } = measuredOne;
      const postgresShare = w && p !== null ? p / w : null;
      rounds.push({
        one,
        two,
        ratio: round(ratio, 2),
        cryptoRatio: round(cryptoRatio, 2),
        ofCryptoRatio: round(ratio / cryptoRatio, 2),
        cpuMsPerCard: {
          one: { workers: measuredOne.workerCpuMsPerCard, postgres: measuredOne.postgresCpuMsPerCard },
          two: { workers: measuredTwo.workerCpuMsPerCard, postgres: measuredTwo.postgresCpuMsPerCard },
        },
        postgresShare: postgresShare === null ? null : round(postgresShare, 2),
        limit: postgresShare === null ? null : round(cryptoRatio / (1 + postgresShare), 2),
      });
    }
    const medianOf = (values: number[]) => medianItem(values, (value) => value);
    const medianOrNull = (values: (number | null)[]) =>
      values.every((value) => value !== null) ? medianOf(values) : null;
    const median = medianItem(rounds, (r) => r.ratio);
    return {
      benchmark: "workers",
      database: "postgres",
      cards,
      chunkSize,
      oneWorkerCardsPerSecond: median.one,
      twoWorkersCardsPerSecond: median.two,
      ratio: median.ratio,
      target: ">= 1.8",
      // Two pinned one-thread processes of bare crypto against one, the median of the rounds.
      cryptoRatio: medianOf(rounds.map((r) => r.cryptoRatio)),
      // The workers' ratio over the crypto's in each round (both measured minutes apart at most), the median.
      ofCryptoRatio: medianOf(rounds.map((r) => r.ofCryptoRatio)),
      // PostgreSQL's CPU a card over a worker process's, and the ratio that leaves: see `benchWorkersCommand`.
      postgresShare: medianOrNull(rounds.map((r) => r.postgresShare)),
      limit: medianOrNull(rounds.map((r) => r.limit)),
      rounds,
      pinned: pinned ? "taskset -c 0 / -c 1" : "not pinned: taskset is missing",
      note: "each worker process runs one production thread; chunks of chunkSize cards (TESSERA_BATCH_CHUNK_SIZE); after a warm-up batch of two chunks' worth of cards per process, the batch is timed from its 10th to its 90th percent of cards done; the median of three rounds of one process then two; cryptoRatio: the same of the bare crypto alone (two P-256 keys, two P-384 signatures and the PKCS#12 protection a card), one process of one thread pinned to a core against two, in each round",
    };
  } finally {
    await app.close();
  }
}
