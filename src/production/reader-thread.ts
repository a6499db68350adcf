import { Worker } from "node:worker_threads";
import { isErrorCode, TesseraError } from "../domain/errors.js";
import type { ChipCardSteps } from "./chip-card-steps.js";
import type { ReaderErrorReply, ReaderReply, ReaderRequest } from "./reader-messages.js";
import { withBuffers } from "./reader-messages.js";
import { compiledScript } from "./worker-pool.js";

/**
 * A card reader's own thread: the steps of {@link ChipCardSteps}, run there and awaited here.
 * A chip blocks the thread that calls it for as long as it works (a real card: hundreds of
 * milliseconds per PIN check, seconds per key), so the main thread, which serves HTTP and renews
 * leases, never calls it; and the readers of a station work at once, each in its thread.
 *
 * A step's TesseraError comes back as one, with its code, sentence and details (classes do not
 * cross threads); any other error as an Error with its message. The thread keeps the process
 * alive only while a step runs, and starts again if it died.
 */
export type ReaderThread = {
  readonly [Step in keyof ChipCardSteps]: (
    ...argument: Parameters<ChipCardSteps[Step]>
  ) => Promise<Awaited<ReturnType<ChipCardSteps[Step]>>>;
} & {
  /** The milliseconds the thread spent in each C_* function, by name (none before it started). */
  callTimes(): Promise<Record<string, number>>;
  /** Stops the thread; a step still running is rejected. */
  close(): Promise<void>;
};

/** The error a step threw in the reader's thread, rebuilt on this side. */
function rebuilt(reply: ReaderErrorReply): Error {
  const error = isErrorCode(reply.code)
    ? new TesseraError(reply.code, reply.message, reply.details)
    : new Error(reply.message);
  if (reply.stack)
    error.stack = `${reply.stack}\n    (in a reader thread)\n${error.stack?.split("\n").slice(1).join("\n")}`;
  return error;
}

/**
 * A thread for a reader of the module at `modulePath`, which this process has loaded (and so
 * initialised) on its main thread first: the module is one per process (DEPENDENCIES.md).
 */
export function createReaderThread(modulePath: string): ReaderThread {
  const script = compiledScript("reader-worker.js", import.meta.url);
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let closed = false;

  const start = (): Worker => {
    const thread = new Worker(script, {
      workerData: { modulePath },
      // The thread holds a session and a few certificates at a time.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    thread.unref();
    thread.on("message", (reply: ReaderReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (pending.size === 0) thread.unref();
      if ("error" in reply) waiting.reject(rebuilt(reply.error));
      else waiting.resolve(withBuffers(reply.value));
    });
    let died: Error | undefined;
    thread.on("error", (error) => {
      died = error;
    });
    thread.on("exit", (code) => {
      if (worker === thread) worker = undefined;
      const error = new Error(
        `The reader thread of ${modulePath} ended (exit code ${code})${died ? `: ${died.message}` : ""}.`,
      );
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
    return thread;
  };

  const request =
    (step: ReaderRequest["step"]) =>
    (argument?: unknown): Promise<unknown> => {
      if (closed) return Promise.reject(new Error(`The reader thread of ${modulePath} is closed.`));
      worker ??= start();
      const id = next++;
      const thread = worker;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.ref();
        thread.postMessage({ id, step, argument } satisfies ReaderRequest);
      });
    };

  return {
    listTokens: request("listTokens"),
    findToken: request("findToken"),
    blankTokens: request("blankTokens"),
    blankTokenIn: request("blankTokenIn"),
    setUp: request("setUp"),
    generateKeyPair: request("generateKeyPair"),
    writeCertificate: request("writeCertificate"),
    finish: request("finish"),
    abandon: request("abandon"),
    unblockPin: request("unblockPin"),
    changePin: request("changePin"),
    changePuk: request("changePuk"),
    callTimes: () => (worker ? request("callTimes")() : Promise.resolve({})),
    async close() {
      closed = true;
      const thread = worker;
      worker = undefined;
      await thread?.terminate();
    },
  } as ReaderThread;
}
