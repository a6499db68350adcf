import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadPkcs11Module } from "../pkcs11/pkcs11-module.js";
import { type ChipCardSteps, createChipCardSteps } from "./chip-card-steps.js";
import { errorReply, type ReaderReply, type ReaderRequest, withBuffers } from "./reader-messages.js";

/**
 * The entry of a reader's thread (see `reader-thread.ts`): it loads the station's PKCS#11 module
 * (initialised already by the main thread: the module is one per process, and C_Initialize here
 * answers CKR_CRYPTOKI_ALREADY_INITIALIZED, which `loadPkcs11Module` takes as done; it never
 * calls C_Finalize) and runs the steps of the card in its reader, one request at a time.
 */

/**
 * Counts the milliseconds spent in each C_* function of `api`, by name: where a station's time
 * goes (a real card's PIN checks, key generation, writes), asked for with `callTimes`.
 */
function timeCalls(api: object): Map<string, number> {
  const spent = new Map<string, number>();
  const functions = api as Record<string, unknown>;
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(api); proto; proto = Object.getPrototypeOf(proto))
    for (const name of Object.getOwnPropertyNames(proto)) if (name.startsWith("C_")) names.add(name);
  for (const name of names) {
    const original = functions[name];
    if (typeof original !== "function") continue;
    functions[name] = (...args: unknown[]) => {
      const started = performance.now();
      const count = () => spent.set(name, (spent.get(name) ?? 0) + performance.now() - started);
      let result: unknown;
      try {
        result = original.apply(api, args);
      } catch (error) {
        count();
        throw error;
      }
      if (result instanceof Promise) return result.finally(count);
      count();
      return result;
    };
  }
  return spent;
}

function serve(port: NonNullable<typeof parentPort>, modulePath: string): void {
  let steps: ChipCardSteps | undefined;
  let spent = new Map<string, number>();
  let loadError: unknown;
  try {
    const module = loadPkcs11Module(modulePath);
    spent = timeCalls(module.api);
    steps = createChipCardSteps(module);
  } catch (error) {
    loadError = error;
  }
  // A card's steps run one after the other, in the order they were sent: a step may be sent
  // before the one ahead of it has answered (a certificate's write, then the next key pair), and
  // a key pair is made on libuv's thread pool, so the next message would otherwise start beside it.
  let previous: Promise<void> = Promise.resolve();
  port.on("message", (request: ReaderRequest) => {
    if (request.step === "callTimes") {
      port.postMessage({ id: request.id, value: Object.fromEntries(spent) } satisfies ReaderReply);
      return;
    }
    const { id, step, argument } = request;
    previous = previous
      .then(() => runStep({ id, step, argument }))
      .catch((error: unknown) => {
        // An answer that could not be sent at all: the thread ends, and its end rejects every
        // step still waiting on it (`reader-thread.ts`).
        setImmediate(() => {
          throw error;
        });
      });
  });
  async function runStep({
    id,
    step,
    argument,
  }: {
    id: number;
    step: keyof ChipCardSteps;
    argument: unknown;
  }) {
    try {
      if (!steps) throw loadError;
      const run = steps[step] as (argument: unknown) => unknown;
      const value = await run(withBuffers(argument));
      port.postMessage({ id, value } satisfies ReaderReply);
    } catch (error) {
      const reply = errorReply(error);
      try {
        port.postMessage({ id, error: reply } satisfies ReaderReply);
      } catch {
        // Details that cannot be copied to the other thread: the code and the sentence can.
        port.postMessage({ id, error: { ...reply, details: undefined } } satisfies ReaderReply);
      }
    }
  }
}

if (!isMainThread && parentPort) serve(parentPort, (workerData as { modulePath: string }).modulePath);
