import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { type ResourceLimits, Worker } from "node:worker_threads";
import { isErrorCode, TesseraError } from "../domain/errors.js";
import type { ChunkJob, ChunkResult, WorkerInit } from "./chunk-job.js";
import type { WorkerErrorReply, WorkerReply, WorkerRequest } from "./chunk-worker.js";

/**
 * A fixed set of production worker threads (`chunk-worker.ts`), each producing one chunk at a
 * time with the next one already in hand ({@link chunksPerThread}).
 *
 * Jobs beyond that wait in a queue, in order. A thread that dies (an uncaught error, running out
 * of memory) rejects the chunk it was producing (`production.chunk_failed`), its next chunk goes
 * back to the front of the queue, and it is replaced; a thread that dies before it was ready (its script cannot load) breaks the pool, so a
 * broken installation fails every job at once instead of restarting threads forever. Jobs go to
 * the workers as copies (the runner may produce a chunk again); results come back by transfer.
 */
export interface WorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /** Produces one chunk on the next free thread. Rejects with a {@link TesseraError} (`chunkJobError`). */
  run(job: ChunkJob): Promise<ChunkResult>;
  /**
   * Stops the threads at once: queued and running chunks are rejected (a chunk is all or nothing
   * and its parts are written by rename, so it can simply be produced again).
   */
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  /** Threads; default `os.availableParallelism()`. */
  readonly size?: number;
  /** Given to every thread once: the CA certificate, a signing key it cannot export, the PUK key. */
  readonly init: WorkerInit;
  /** The worker script; default {@link chunkWorkerScript}. For tests. */
  readonly script?: URL;
  /** V8 limits of each thread; default {@link defaultWorkerLimits}. */
  readonly resourceLimits?: ResourceLimits;
}

/**
 * A young generation of 8 MB and an old generation of 48 MB per thread. A worker makes much
 * short-lived garbage (DER pieces, pdfkit objects) and V8's defaults let each generation grow far
 * larger before it collects; the process's resident memory grows with them (2,000 cards, two
 * threads: ≈ 320 MB peak with the default old generation, ≈ 250 MB with 48 MB) for no measurable
 * gain in speed. What a thread holds stays far below: its heap peaked at ≈ 35 MB (≈ 25 MB used)
 * producing a chunk of 250 cards each with a 1 MB JPEG photo, and one of 20 cards each with a
 * 20-megapixel PNG (photo bytes and decoded pixels live outside the V8 heap).
 */
export const defaultWorkerLimits: ResourceLimits = {
  maxYoungGenerationSizeMb: 8,
  maxOldGenerationSizeMb: 48,
};

/**
 * The heap growing factor of a process that produces cards: 1.5, where V8 lets the old
 * generation of a heap with a limit as large as the main thread's (a few GB on a machine with
 * this project's 24 GB) grow to up to four times what was live at its last full collection. The
 * main thread of a batch lives on about 30 MB and makes garbage steadily (a chunk's records, its
 * parts read back, the audit): its heap ranged from 70 to 110 MB depending on when collections
 * fell, and the process peaked at 250–320 MB in a 10,000-card batch and 277–320 MB in a
 * 100,000-card one (`npm run bench -- batch`). With this factor: 249–258 MB and 256–263 MB,
 * and no more CPU per card. The flag is process-wide, so the production threads take it too; their
 * heaps keep the limits above.
 */
export const heapGrowingFlag = "--heap-growing-percent=50";

/**
 * Sets {@link heapGrowingFlag} in this process. V8 reads it at each full collection, so setting
 * it once the modules are loaded, before any batch runs, is early enough.
 */
export function applyProductionHeapGrowing(): void {
  setFlagsFromString(heapGrowingFlag);
}

/**
 * Why a chunk was not produced: the worker's error again, with its own code when it had one of
 * the catalog's, or `production.chunk_failed` (the thread ended, the job could not be sent);
 * `details.workerStack` holds the stack of the error in the worker thread (and `workerCode` a
 * code outside the catalog, such as Node's `ERR_…`).
 */
function chunkJobError(
  message: string,
  details: { code?: string | undefined; workerStack?: string | undefined } = {},
): TesseraError {
  if (isErrorCode(details.code))
    return new TesseraError(details.code, message, { workerStack: details.workerStack });
  return new TesseraError("production.chunk_failed", message, {
    workerCode: details.code,
    workerStack: details.workerStack,
  });
}

/**
 * The compiled worker script: `chunk-worker.js` beside this module when it runs from `dist/`.
 * Under Vitest this module is the TypeScript source and has no `.js` beside it; a worker thread
 * cannot load TypeScript, so the build in `dist/production/` is used (the tests' global setup
 * builds it before every run).
 */
export function chunkWorkerScript(): URL {
  return compiledScript("chunk-worker.js", import.meta.url);
}

/**
 * `name` beside the module at `moduleUrl`, or its build in the same folder under `dist/` when
 * that module is a `.ts` source (`src/bench/x.ts` → `dist/bench/name`).
 */
export function compiledScript(name: string, moduleUrl: string): URL {
  const beside = new URL(`./${name}`, moduleUrl);
  if (existsSync(fileURLToPath(beside))) return beside;
  if (moduleUrl.endsWith(".ts")) {
    const folder = path.basename(path.dirname(fileURLToPath(moduleUrl)));
    const built = new URL(`../../dist/${folder}/${name}`, moduleUrl);
    if (existsSync(fileURLToPath(built))) return built;
    throw new Error(
      `${fileURLToPath(built)} does not exist: build with "npx tsc -p tsconfig.build.json" to run production workers from the sources.`,
    );
  }
  throw new Error(`The production worker script ${fileURLToPath(beside)} does not exist.`);
}

/**
 * Chunks a thread holds: the one it produces and the next. A thread's next chunk then waits at
 * the thread, not in the main thread's queue, so the thread goes on the moment it finishes one
 * even while the main thread is busy (recording the last chunk in a long commit, say): with one
 * chunk each, threads idled 4–11% of a batch (issue 9's profile).
 */
export const chunksPerThread = 2;

interface Task {
  readonly job: ChunkJob;
  resolve(result: ChunkResult): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Sent to the thread, in order: the first is being produced. */
  readonly tasks: Task[];
  ready: boolean;
  /** The uncaught error the thread died of, reported with its exit. */
  error: Error | undefined;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const size = options.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`The pool size must be a positive integer, not ${size}.`);
  }
  const script = options.script ?? chunkWorkerScript();
  const queue: Task[] = [];
  const slots = new Set<Slot>();
  let closed = false;
  let broken: Error | undefined;

  const describe = (job: ChunkJob) => `chunk ${job.chunk} of batch ${job.batchId}`;

  const dispatch = () => {
    // Every thread its first chunk before any its second.
    for (let held = 0; held < chunksPerThread; held++) {
      for (const slot of slots) {
        if (queue.length === 0) return;
        if (slot.tasks.length > held) continue;
        const task = queue.shift()!;
        try {
          slot.worker.postMessage({ job: task.job } satisfies WorkerRequest);
          slot.tasks.push(task);
        } catch (error) {
          // The job cannot be copied to the thread (it holds a function, say): refuse it alone.
          task.reject(
            chunkJobError(
              `The ${describe(task.job)} cannot be sent to a worker: ${(error as Error).message}`,
            ),
          );
        }
      }
    }
  };

  const failAll = (error: Error) => {
    for (const task of queue.splice(0)) task.reject(error);
  };

  const spawn = () => {
    const worker = new Worker(script, {
      workerData: options.init,
      resourceLimits: options.resourceLimits ?? defaultWorkerLimits,
    });
    const slot: Slot = { worker, tasks: [], ready: false, error: undefined };
    slots.add(slot);

    worker.on("message", (reply: WorkerReply) => {
      if ("ready" in reply) {
        slot.ready = true;
        return;
      }
      // A thread answers its chunks in the order it was given them.
      const task = slot.tasks.shift();
      if (task) {
        if ("result" in reply) task.resolve(reply.result);
        else task.reject(fromWorkerError(reply.error));
      }
      dispatch();
    });
    worker.on("messageerror", (error) => {
      const task = slot.tasks.shift();
      task?.reject(
        chunkJobError(
          `The result of ${task ? describe(task.job) : "a chunk"} could not be read: ${error.message}`,
        ),
      );
      dispatch();
    });
    worker.on("error", (error) => {
      slot.error = error;
    });
    worker.on("exit", (code) => {
      slots.delete(slot);
      const [task, ...next] = slot.tasks.splice(0);
      const cause = slot.error ? `: ${slot.error.message}` : "";
      const details = { workerStack: slot.error?.stack };
      if (closed) {
        task?.reject(chunkJobError(`The worker pool was closed while producing ${describe(task.job)}.`));
        for (const waiting of next)
          waiting.reject(chunkJobError("The worker pool was closed before the chunk was started."));
        return;
      }
      if (!slot.ready) {
        broken ??= chunkJobError(`A production worker could not start (exit code ${code}${cause}).`, details);
        for (const held of [task, ...next]) held?.reject(broken);
        failAll(broken);
        return;
      }
      // The chunks it had not started yet are produced by the next thread, first.
      queue.unshift(...next);
      task?.reject(
        chunkJobError(
          `The production worker stopped (exit code ${code}${cause}) while producing ${describe(task.job)}; the chunk was not produced.`,
          details,
        ),
      );
      spawn();
      dispatch();
    });
  };

  for (let i = 0; i < size; i++) spawn();

  return {
    size,
    run(job) {
      if (closed) return Promise.reject(chunkJobError("The worker pool is closed."));
      if (broken) return Promise.reject(broken);
      return new Promise<ChunkResult>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      failAll(chunkJobError("The worker pool was closed before the chunk was started."));
      await Promise.all([...slots].map((slot) => slot.worker.terminate()));
    },
  };
}

function fromWorkerError(error: WorkerErrorReply): TesseraError {
  return chunkJobError(error.message, { code: error.code, workerStack: error.stack });
}
