import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { ChunkCardResult, ChunkJob, ChunkResult, WorkerInit } from "./chunk-job.js";
import { produceChunk } from "./produce-chunk.js";
import { createProductionContext, type ProductionContext } from "./production-context.js";

/**
 * The entry of a production worker thread (see `worker-pool.ts`). It builds its production
 * context once from `workerData` (a {@link WorkerInit}), says it is ready, then answers each
 * `{ job }`, in the order they came, with `{ result }` or `{ error }`. A job that throws is answered with its error and
 * the thread lives on; so is every job when the context could not be built (a bad CA key), so
 * the pool reports the cause instead of restarting a thread that can never work.
 */

/** From the pool to a worker. */
export interface WorkerRequest {
  readonly job: ChunkJob;
}

/** What a worker sends when it failed a job. */
export interface WorkerErrorReply {
  readonly message: string;
  readonly stack: string | undefined;
  /** The error's code when it has one (`production.*`, `ca.*`, `certificate.*`). */
  readonly code: string | undefined;
}

/** From a worker to the pool: first `{ ready }`, then one reply per job. */
export type WorkerReply =
  | { readonly ready: true }
  | { readonly result: ChunkResult }
  | { readonly error: WorkerErrorReply };

/**
 * Copies every token and certificate of `result` into one new ArrayBuffer, so the whole result
 * moves to the runner's thread by transferring that buffer instead of cloning each byte array.
 * (Small Node Buffers are views into a shared 8 KB pool: cloning one copies the whole pool, and
 * a pool cannot be transferred.)
 */
export function packChunkResult(result: ChunkResult): { result: ChunkResult; transfer: ArrayBuffer[] } {
  let total = 0;
  for (const card of result.cards) {
    if (card.ok && card.token) total += card.token.byteLength;
    for (const certificate of card.certificates) total += certificate.der.byteLength;
  }
  if (total === 0) return { result, transfer: [] };
  // Loops, not closures made per chunk: see `produce-chunk.ts`.
  const memory = { buffer: new ArrayBuffer(total), offset: 0 };
  const cards: ChunkCardResult[] = [];
  for (const card of result.cards) {
    const certificates: SignedCertificate[] = [];
    for (const certificate of card.certificates)
      certificates.push({ ...certificate, der: place(memory, certificate.der) });
    cards.push(
      card.ok && card.token
        ? { ...card, certificates, token: place(memory, card.token) }
        : { ...card, certificates },
    );
  }
  return { result: { ...result, cards }, transfer: [memory.buffer] };
}

/** `bytes` copied into `memory` at its offset, which moves past them. */
function place(memory: { readonly buffer: ArrayBuffer; offset: number }, bytes: Uint8Array): Uint8Array {
  const view = new Uint8Array(memory.buffer, memory.offset, bytes.byteLength);
  view.set(bytes);
  memory.offset += bytes.byteLength;
  return view;
}

function errorReply(error: unknown): WorkerErrorReply {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, stack: error.stack, code: typeof code === "string" ? code : undefined };
  }
  return { message: String(error), stack: undefined, code: undefined };
}

function serve(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  let context: ProductionContext | undefined;
  let initError: WorkerErrorReply | undefined;
  try {
    context = createProductionContext(init);
  } catch (error) {
    const reply = errorReply(error);
    initError = { ...reply, message: `The production worker cannot start: ${reply.message}` };
  }
  // The pool hands a thread its next chunk before the current one is done: one at a time, in
  // order (two at once would interleave at their awaits and hold both chunks' garbage).
  let previous: Promise<void> = Promise.resolve();
  port.on("message", (request: WorkerRequest) => {
    previous = previous.then(() => answer(request));
  });
  async function answer(request: WorkerRequest): Promise<void> {
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    if (!context) {
      reply = { error: initError! };
    } else {
      try {
        const packed = packChunkResult(await produceChunk(context, request.job));
        reply = { result: packed.result };
        transfer = packed.transfer;
      } catch (error) {
        reply = { error: errorReply(error) };
      }
    }
    port.postMessage(reply, transfer);
  }
  port.postMessage({ ready: true } satisfies WorkerReply);
}

if (!isMainThread && parentPort) serve(parentPort, workerData as WorkerInit);
