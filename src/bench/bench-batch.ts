import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import type { Actor } from "../services/services.js";
import { findItemTimes } from "../store/batch-items.js";
import { listBatchParts, readBatchPart } from "../store/batch-parts.js";
import { findBatch } from "../store/batches.js";
import { insertBenchHolders } from "../store/bench-holders.js";
import { findOperatorByUsername } from "../store/operators.js";
import { type BenchAppOptions, withBenchApp } from "./bench-app.js";
import { benchCardCeiling } from "./bench-chunk.js";
import { percentile, round } from "./measure.js";

/**
 * CPU time of the calling thread in ms, from Linux's `/proc/thread-self/schedstat` (nanoseconds
 * on CPU); `undefined` elsewhere. Node 20 has no per-thread CPU clock of its own.
 */
function mainThreadCpuMs(): number | undefined {
  if (!existsSync(schedstat)) return undefined;
  return Number(readFileSync(schedstat, "latin1").split(" ")[0]) / 1e6;
}

const schedstat = "/proc/thread-self/schedstat";

/**
 * Chunks per production thread in the warm-up batch. One was too few: V8 optimizes a function
 * only after many calls, and the per-chunk code (parts, records, PDF pages) is called once a
 * chunk, so its compiling went on through a 10,000-card batch (perf: TurboFan busy at 5–18 % of a
 * core throughout); with four, the batch took ≈ 0.2 CPU ms a card less, as a long batch does.
 */
const warmUpChunksPerThread = 4;

/** Megabytes, rounded. */
const mb = (bytes: number) => Math.round(bytes / 1048576);

/**
 * `npm run bench -- batch [--size N]`: issues N software cards (Employee ID: two P-256
 * certificates) through the whole path — order, claim, worker threads, database records, PDF
 * parts — then streams the print file and the PIN letters part by part as their download does,
 * and puts the rate next to the bare-crypto ceiling measured in the same run with as many
 * threads as the batch has.
 *
 * The batch is timed once its threads are ready: a warm-up batch of {@link warmUpChunksPerThread}
 * chunks per thread is produced first (thread start, module loading and JIT are not production),
 * as the ceiling is timed from the moment its threads are ready. Peak RSS covers everything,
 * warm-up included.
 */
export async function benchBatchCommand({ size, databaseUrl }: BenchAppOptions) {
  // The environment's settings (TESSERA_WORKERS, TESSERA_BATCH_CHUNK_SIZE) hold; the data is the bench's own.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Outside the demo certificates need a public URL (their CRL and OCSP addresses).
    TESSERA_PUBLIC_URL: "https://id.example.org",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
  };
  return withBenchApp("batch", { env, logLevel: process.env.LOG_LEVEL ?? "warn" }, async (app) => {
    const { workers: threads, chunkSize } = app.config.batch;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    try {
      const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
      const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
      const { store } = app.services;
      const order = async () => {
        const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", {
          filter: { template: "Employee ID" },
          options: { certificateEndState: "onHold" },
        });
        return (result as { batchId: string }).batchId;
      };

      // Half the ceiling before the batch and half after: on a machine whose load drifts, both
      // rates then see the same conditions on average (one measurement after the batch alone
      // ranged over ±30 % from one run to the next).
      const ceilingCards = Math.max(2 * threads, Math.min(size, 4000));
      const before = await benchCardCeiling({ cards: Math.floor(ceilingCards / 2), threads });

      const warmUp = threads * chunkSize * warmUpChunksPerThread;
      const warmStart = performance.now();
      await insertBenchHolders(store, warmUp);
      app.runner.start();
      await order();
      await app.runner.idle();
      const warmUpSeconds = (performance.now() - warmStart) / 1000;

      const seedStart = performance.now();
      await insertBenchHolders(store, size, "approved", warmUp);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      const rssBefore = process.memoryUsage().rss;

      const started = performance.now();
      const cpuAtStart = process.cpuUsage();
      const mainThreadAtStart = mainThreadCpuMs();
      const batchId = await order();
      const orderSeconds = (performance.now() - started) / 1000;
      await app.runner.idle();
      const seconds = (performance.now() - started) / 1000;
      const batchCpu = process.cpuUsage(cpuAtStart);
      const mainThreadMs =
        mainThreadAtStart === undefined ? undefined : mainThreadCpuMs()! - mainThreadAtStart;
      const batch = (await findBatch(store.db, batchId))!;
      const ms = (await findItemTimes(store.db, batchId)).sort((a, b) => a - b);
      await app.runner.stop();

      // The print file and the PIN letters leave part by part, as `GET …/print-file` streams them.
      const downloadStart = performance.now();
      const downloaded = { print: 0, pinLetters: 0 };
      for (const kind of ["print", "pinLetters"] as const)
        for (const { chunk } of await listBatchParts(store.db, batchId, kind))
          downloaded[kind] += (await readBatchPart(store.db, batchId, kind, chunk))?.byteLength ?? 0;
      const downloadSeconds = (performance.now() - downloadStart) / 1000;
      clearInterval(sampler);

      const after = await benchCardCeiling({ cards: ceilingCards - before.cards, threads });
      const ceiling = {
        seconds: before.seconds + after.seconds,
        cardsPerSecond: ceilingCards / (before.seconds + after.seconds),
      };
      const cardsPerSecond = Math.round(batch.done / seconds);
      const cpuMsPerCard = {
        batch: (batchCpu.user + batchCpu.system) / 1000 / batch.done,
        ceiling: (before.cpuMs + after.cpuMs) / ceilingCards,
      };
      return {
        benchmark: "batch",
        database: store.dialect,
        cores: availableParallelism(),
        threads,
        chunkSize,
        cards: size,
        done: batch.done,
        failed: batch.failed,
        seconds: round(seconds, 1),
        cardsPerSecond,
        ceilingCardsPerSecond: Math.round(ceiling.cardsPerSecond),
        ratio: round(cardsPerSecond / ceiling.cardsPerSecond, 2),
        target: ">= 0.85",
        phases: {
          warmUpCards: warmUp,
          warmUpSeconds: round(warmUpSeconds, 1),
          seedSeconds: round(seedSeconds, 1),
          orderAndClaimSeconds: round(orderSeconds, 2),
          downloadSeconds: round(downloadSeconds, 1),
          ceilingSeconds: round(ceiling.seconds, 1),
          ceilingCardsPerSecondBeforeAndAfter: [before.cardsPerSecond, after.cardsPerSecond],
        },
        // A thread's time per card in the batch (crypto, ASN.1, both PDF pages) beside the ceiling's (crypto alone).
        workerMsPerCard: { p50: percentile(ms, 50), p99: percentile(ms, 99) },
        ceilingMsPerCard: round((threads * 1000) / ceiling.cardsPerSecond, 1),
        // CPU time per card of the whole process (all threads), batch against ceiling: a figure that
        // other load on the machine hardly moves, unlike the rates. The main thread's share is what
        // the runner (claims, records, parts into the database) takes from the two production threads.
        cpuMsPerCard: {
          batch: round(cpuMsPerCard.batch, 2),
          ceiling: round(cpuMsPerCard.ceiling, 2),
          ratio: round(cpuMsPerCard.ceiling / cpuMsPerCard.batch, 2),
          mainThread: mainThreadMs === undefined ? null : round(mainThreadMs / batch.done, 2),
        },
        printFileMb: mb(downloaded.print),
        pinLettersMb: mb(downloaded.pinLetters),
        peakRssMb: mb(peakRss),
        peakRssTargetMb: "<= 300 at 100,000 cards",
        rssBeforeBatchMb: mb(rssBefore),
      };
    } finally {
      clearInterval(sampler);
    }
  });
}
