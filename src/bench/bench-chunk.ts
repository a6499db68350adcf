import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { demoTemplates } from "../domain/card-template.js";
import type { ChunkCard, ChunkJob, ChunkTemplate } from "../production/chunk-job.js";
import { createSampleJpeg } from "../production/sample-photos.js";
import { createThrowawayWorkerInit } from "../production/throwaway-worker-init.js";
import { compiledScript, createWorkerPool, defaultWorkerLimits } from "../production/worker-pool.js";
import type { CeilingReply, CeilingWorkerData } from "./ceiling-worker.js";
import { percentile, round } from "./measure.js";

/**
 * Benchmarks of software-card production on all cores, for `npm run bench -- batch`: the
 * bare-crypto ceiling, and real chunks through the worker pool (without the database).
 */

/** What both benchmarks are asked: how many cards, on how many threads. */
interface CardRunOptions {
  readonly cards: number;
  /** Default `os.availableParallelism()`. */
  readonly threads?: number;
}

/** What both benchmarks report first: the cards, the threads, the time and the rate. */
interface CardRunResult {
  readonly cards: number;
  readonly threads: number;
  readonly seconds: number;
  readonly cardsPerSecond: number;
}

/** The cards and threads of `options`, defaults applied, each a positive integer or a RangeError. */
function cardsAndThreads(options: CardRunOptions): { cards: number; threads: number } {
  const threads = positive(options.threads ?? availableParallelism(), "threads");
  return { cards: positive(options.cards, "cards"), threads };
}

/** The time `cards` took and their rate, rounded as both benchmarks report them. */
const timing = (cards: number, seconds: number) => ({
  seconds: round(seconds, 3),
  cardsPerSecond: Math.round(cards / seconds),
});

export interface CardCeilingOptions extends CardRunOptions {
  /** PKCS#12 PBKDF2 and MAC iterations; default 2048, as the software token. */
  readonly pkcs12Iterations?: number;
  /**
   * When to begin (`Date.now()` milliseconds), once the threads are ready: ceilings in several
   * processes then run at the same time (see `ceiling-process.ts`). Default: at once.
   */
  readonly startAt?: number;
}

export interface CardCeilingResult extends CardRunResult {
  /**
   * CPU time of the whole process (every thread, user and system) from "go" to the last
   * thread's end: moved less than the rate by other load on the machine, but moved too.
   */
  readonly cpuMs: number;
}

/**
 * The most software cards per second these cores can make: in `threads` worker threads, in a
 * tight loop, two P-256 key pairs, two P-384 signatures over certificate-sized data and the
 * PKCS#12 protection per card (see `ceiling-worker.ts`); no ASN.1, no files, no database.
 * Timed from the moment all threads are ready to the last one's end; the threads take the cards
 * one at a time from a shared count, so none waits long for the others at the end.
 */
export async function benchCardCeiling(options: CardCeilingOptions): Promise<CardCeilingResult> {
  const { cards, threads } = cardsAndThreads(options);
  const iterations = options.pkcs12Iterations ?? 2048;
  const script = compiledScript("ceiling-worker.js", import.meta.url);
  const remaining = new SharedArrayBuffer(4);
  new Int32Array(remaining)[0] = cards;
  const workers = Array.from(
    { length: threads },
    () =>
      new Worker(script, {
        workerData: { remaining, iterations } satisfies CeilingWorkerData,
        // The production threads' limits: the ceiling runs on the terms the batch runs on.
        resourceLimits: defaultWorkerLimits,
      }),
  );
  try {
    const next = workers.map(mailbox);
    await Promise.all(next.map((reply) => reply()));
    const done = next.map((reply) => reply());
    const wait = (options.startAt ?? 0) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    for (const worker of workers) worker.postMessage("go");
    const replies = await Promise.all(done);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    const made = replies.reduce((sum, reply) => sum + ("cards" in reply ? reply.cards : 0), 0);
    if (made !== cards) throw new Error(`the ceiling's threads made ${made} cards, not ${cards}`);
    return { cards, threads, ...timing(cards, seconds), cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The worker's replies in order; a thread that fails or ends before its reply rejects the wait. */
function mailbox(worker: Worker): () => Promise<CeilingReply> {
  const replies: CeilingReply[] = [];
  const waiting: { resolve(reply: CeilingReply): void; reject(error: Error): void }[] = [];
  let failure: Error | undefined;
  worker.on("message", (reply: CeilingReply) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(reply);
    else replies.push(reply);
  });
  const fail = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`a ceiling worker exited (code ${code}) before it answered`)));
  return () => {
    const reply = replies.shift();
    if (reply) return Promise.resolve(reply);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}

export interface ProduceChunksOptions extends CardRunOptions {
  /** Cards per chunk; default 200. */
  readonly chunkSize?: number;
}

export interface ProduceChunksResult extends CardRunResult {
  readonly failed: number;
  readonly chunkSize: number;
  /** Worker milliseconds per card: keys, certificates, token, PUK, face and letter. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Peak resident set size of the process (all threads), MB, including what it held before. */
  readonly peakRssMb: number;
}

/**
 * Real chunks of "Employee ID" cards (two P-256 certificates from a P-384 CA, a 9 KB JPEG photo,
 * PUK printed) through the worker pool, with their print-file and PIN-letter parts written to a
 * temporary folder that is removed afterwards. At most two chunks per thread are in flight, and
 * results are dropped once counted, so memory is the production's, not the bench's.
 */
export async function benchProduceChunks(options: ProduceChunksOptions): Promise<ProduceChunksResult> {
  const { cards, threads } = cardsAndThreads(options);
  const chunkSize = positive(options.chunkSize ?? 200, "chunkSize");
  const init = await createThrowawayWorkerInit("CN=Tessera Bench CA,O=Tessera");
  const template = demoTemplates[0]!;
  const templates: Record<string, ChunkTemplate> = {
    [template.name]: {
      name: template.name,
      encoder: template.encoder,
      profiles: template.profiles,
      validityDays: template.validityDays,
      layout: template.layout,
    },
  };
  const photo = createSampleJpeg(192, 240, 8_500);
  const folder = mkdtempSync(path.join(tmpdir(), "tessera-bench-chunks-"));
  const pool = createWorkerPool({ size: threads, init });
  const chunks = Math.ceil(cards / chunkSize);
  const notBefore = new Date().toISOString();
  const makeJob = (chunk: number): ChunkJob => {
    const first = (chunk - 1) * chunkSize;
    const count = Math.min(chunkSize, cards - first);
    return {
      batchId: "bench",
      chunk,
      templates,
      cards: Array.from({ length: count }, (_, i) => benchCard(first + i, template.name, photo)),
      pinLength: 6,
      pukLength: 8,
      certificateEndState: "onHold",
      pukPrinted: true,
      organizationName: "Tessera ID Office",
      notBefore,
      printFilePath: path.join(folder, `print-${chunk}.pdf`),
      pinLettersPath: path.join(folder, `letters-${chunk}.pdf`),
    };
  };

  const perCard = new Float64Array(cards);
  let counted = 0;
  let failed = 0;
  let next = 1;
  const started = performance.now();
  try {
    const lane = async () => {
      while (next <= chunks) {
        const result = await pool.run(makeJob(next++));
        for (const card of result.cards) {
          perCard[counted++] = card.ms;
          if (!card.ok) failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(chunks, threads * 2) }, lane));
  } finally {
    await pool.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...perCard.subarray(0, counted)].sort((a, b) => a - b);
  return {
    cards,
    failed,
    threads,
    chunkSize,
    ...timing(cards, seconds),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function benchCard(i: number, template: string, photo: Buffer): ChunkCard {
  const number = String(i).padStart(8, "0");
  return {
    cardId: `bench-card-${number}`,
    cardNumber: `7001${number}`,
    template,
    holder: {
      firstName: "Ada",
      lastName: `Lovelace ${i}`,
      email: `ada.${i}@example.org`,
      identifier: `E${number}`,
      organization: "Analytical Engines Ltd",
      organizationalUnit: "Research & Development",
      title: "Engineer",
      upn: `ada.${i}@example.org`,
      sid: `S-1-5-21-3623811015-3361044348-30300820-${1000 + i}`,
      addressLines: ["12 St James's Square", "London SW1Y 4JH"],
    },
    photo,
  };
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
