import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import { findProcess } from "../domain/process-catalog.js";
import { StoppedWaiting } from "../production/chip-encoder.js";
import type { ChunkJob, ChunkResult } from "../production/chunk-job.js";
import { chunksPerThread } from "../production/worker-pool.js";
import type { Actor, Services } from "../services/services.js";
import {
  type ChunkClaim,
  claimNextChunk,
  releaseChunk,
  releaseRunningChunks,
  renewChunkLease,
} from "../store/batch-chunks.js";
import { findBatch } from "../store/batches.js";
import { transact } from "../store/database.js";
import { activateChunk } from "./activate-chunk.js";
import { failChunk } from "./fail-chunk.js";
import { issueChunk } from "./issue-chunk.js";

/** What the scheduler needs of the production workers (see production/worker-pool.ts). */
export interface ChunkProducer {
  readonly size: number;
  run(job: ChunkJob): Promise<ChunkResult>;
  close(): Promise<void>;
}

export interface BatchScheduler {
  start(): void;
  /** New work: look for chunks now rather than at the next poll. */
  wake(): void;
  /** Resolves when no chunk is being produced and none is waiting (for tests and the CLI). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** A chunk this instance holds, as the chunk's modules see it. */
export interface HeldChunk {
  readonly batchId: string;
  readonly chunk: number;
  readonly instanceId: string;
  /** Aborted once this producer has lost the chunk's lease. */
  readonly signal?: AbortSignal;
  /**
   * Aborted when this producer stops: work that only waits (a card waiting for a blank card)
   * gives the chunk back then, to be produced after the restart, rather than hold the stop.
   */
  readonly stopping?: AbortSignal;
}

const activateMultiple = findProcess("CardsBoProcActivateMultiple").symbolicName;

/**
 * Runs batch orders in the background, chunk by chunk: claims a chunk with a lease (several
 * Tessera processes on one PostgreSQL share a batch this way), renews the lease while the chunk
 * is worked on, and hands it to its process's module (`issue-chunk.ts`, `activate-chunk.ts`). A
 * chunk is all or nothing; after a crash its lease runs out (or, on SQLite, the restart frees
 * it) and it is produced again. A chunk that fails for a reason not its cards' is tried again,
 * and after the last attempt its cards fail (`fail-chunk.ts`).
 */
export function createBatchScheduler(params: {
  services: Services;
  producer: () => ChunkProducer;
  log: Logger;
  workDir: string;
  organizationName: string;
  /** Where holders activate their own cards: printed on the PIN letters when the office offers it. */
  activationUrl: string;
  instanceId?: string;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
}): BatchScheduler {
  const { services, log, workDir, organizationName, activationUrl } = params;
  const { store } = services;
  const instanceId = params.instanceId ?? randomUUID();
  const leaseMs = params.leaseMs ?? 30_000;
  const maxAttempts = params.maxAttempts ?? 3;
  let producer: ChunkProducer | undefined;
  let running = 0;
  let stopped = true;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopping = new AbortController();
  const idleWaiters: (() => void)[] = [];

  const getProducer = (): ChunkProducer => {
    producer ??= params.producer();
    return producer;
  };
  const leaseUntil = () => new Date(services.clock().getTime() + leaseMs).toISOString();
  const now = () => services.clock().toISOString();

  function settleIdle() {
    if (running === 0 && !pumping) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  /** Claims chunks while a worker is free (or about to be), and starts each. */
  async function pump(): Promise<void> {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        // As many chunks as the threads hold (each its current and its next): a thread starts
        // on its next the moment it is free instead of idling while its last chunk is recorded
        // and the next one is claimed and read.
        while (!stopped && running < getProducer().size * chunksPerThread) {
          const claim = await transact(store, (trx) =>
            claimNextChunk(trx, store.dialect, {
              instanceId,
              now: now(),
              leaseUntil: leaseUntil(),
              chip: services.chipStation.refusal === undefined,
              templates: producibleTemplates(services),
            }),
          );
          if (!claim) break;
          running++;
          log.debug({ batchId: claim.batchId, chunk: claim.chunk, running }, "chunk claimed");
          void work(claim).finally(() => {
            running--;
            void pump();
          });
        }
      } while (again && !stopped);
    } catch (error) {
      log.error({ err: error }, "claiming batch work failed");
    } finally {
      pumping = false;
      if (running === 0) settleIdle();
    }
  }

  /** Works on one claimed chunk under a renewed lease; on failure gives it back or, at the last attempt, fails it. */
  async function work(claim: ChunkClaim): Promise<void> {
    // Work that can reach outside Tessera (a chip being personalised) stops once the lease is
    // lost: taken over by another producer, or not renewed for a whole lease (the database
    // unreachable), after which another producer may take the chunk.
    const lease = new AbortController();
    const held: HeldChunk = {
      batchId: claim.batchId,
      chunk: claim.chunk,
      instanceId,
      signal: lease.signal,
      stopping: stopping.signal,
    };
    let renewed = Date.now();
    const renew = setInterval(() => {
      if (Date.now() - renewed > leaseMs)
        lease.abort(new Error(`the lease of chunk ${claim.chunk} of batch ${claim.batchId} ran out`));
      renewChunkLease(store.db, { ...held, leaseUntil: leaseUntil() }).then(
        (holds) => {
          if (holds) renewed = Date.now();
          else
            lease.abort(
              new Error(`chunk ${claim.chunk} of batch ${claim.batchId} was taken over by another producer`),
            );
        },
        (error: unknown) => log.error({ err: error }, "renewing a chunk lease failed"),
      );
    }, leaseMs / 3);
    try {
      const batch = await findBatch(store.db, claim.batchId);
      if (!batch) return;
      // The batch runs as the operator who ordered it.
      const actor: Actor = { id: batch.createdBy, username: batch.createdByName, roles: [] };
      if (claim.process === activateMultiple) await activateChunk(services, held, batch, actor);
      else
        await issueChunk(
          { services, log, producer: getProducer(), workDir, organizationName, activationUrl },
          held,
          batch,
          actor,
        );
    } catch (error) {
      const where = { batchId: claim.batchId, chunk: claim.chunk, attempt: claim.attempts };
      if (error instanceof StoppedWaiting) log.info(where, `chunk given back: ${error.message}`);
      else log.error({ err: error, ...where }, "producing a chunk failed");
      // Not the cards' fault (a card's own failure is a result, not an error): try again, but
      // not for ever — after the last attempt its cards fail with the reason.
      try {
        // Stopped while it only waited (for a blank card): given back as if never taken.
        if (error instanceof StoppedWaiting) await releaseChunk(store.db, held, now(), true);
        else if (claim.attempts < maxAttempts) await releaseChunk(store.db, held, now());
        else
          await failChunk(
            services,
            held,
            claim.process !== activateMultiple,
            `Production failed ${maxAttempts} times: ${error instanceof Error ? error.message : String(error)}`,
          );
      } catch (inner) {
        log.error(
          { err: inner, batchId: claim.batchId, chunk: claim.chunk },
          "giving up a chunk failed; its lease will run out",
        );
      }
    } finally {
      clearInterval(renew);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      stopping = new AbortController();
      mkdirSync(workDir, { recursive: true, mode: 0o700 });
      const begin = async () => {
        // On SQLite only this process produces: what it was producing before a crash is free again.
        if (store.dialect === "sqlite") {
          const released = await releaseRunningChunks(store.db, now());
          if (released) log.info({ chunks: released }, "resuming batch chunks interrupted by a restart");
        }
        await pump();
      };
      begin().catch((error: unknown) => log.error({ err: error }, "starting the batch runner failed"));
      timer = setInterval(() => void pump(), params.pollMs ?? 2000);
      timer.unref();
    },
    wake() {
      void pump();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        void pump().then(settleIdle);
      });
    },
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearInterval(timer);
      while (running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await producer?.close();
      producer = undefined;
    },
  };
}

/**
 * The card templates this process makes cards of: those of its configuration, less the chip
 * templates when it is no production station. Two stations with readers of different card types
 * then each take only their own cards' chunks.
 */
function producibleTemplates(services: Pick<Services, "templates" | "chipStation">): string[] {
  const station = services.chipStation.refusal === undefined;
  return [...services.templates.values()]
    .filter((template) => template.encoder !== "pkcs11" || station)
    .map((template) => template.name);
}
