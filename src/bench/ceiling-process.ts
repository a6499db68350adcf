import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";
import { compiledScript, heapGrowingFlag } from "../production/worker-pool.js";
import { benchCardCeiling, type CardCeilingResult } from "./bench-chunk.js";
import { spawnNode } from "./spawn-node.js";

/**
 * `node ceiling-process.js <cards> <startAt> [threads]`: the bare-crypto ceiling
 * (`benchCardCeiling`) on `threads` threads (default 1) in a process of its own, begun at
 * `startAt` (`Date.now()` milliseconds) once its threads are ready; prints the result as JSON.
 * - `bench workers` starts it pinned to one core, or two of it pinned to a core each, to measure
 *   how the bare crypto itself scales from one core to two on this machine: the limit of its
 *   worker processes' ratio.
 * - `bench batch` runs it beside the batch's process rather than in it, so the peak RSS it
 *   reports holds nothing of the ceiling's threads: neither their isolates nor the malloc arenas
 *   glibc keeps after a thread ends.
 */
async function main(args: readonly string[]): Promise<void> {
  const [cards, startAt, threads = 1] = args.map(Number);
  if (!Number.isInteger(cards) || !Number.isFinite(startAt) || !Number.isInteger(threads))
    throw new Error("usage: ceiling-process.js <cards> <startAt ms> [threads]");
  const result = await benchCardCeiling({ cards: cards!, threads, startAt: startAt! });
  // When it began, so the caller can tell that processes begun together did run together.
  const startedAt = Date.now() - result.seconds * 1000;
  process.stdout.write(`${JSON.stringify({ ...result, startedAt })}\n`);
}

export type CeilingProcessResult = CardCeilingResult & { readonly startedAt: number };

/**
 * Runs `ceiling-process.js` under the heap growing factor of the processes it is compared with
 * (`worker-pool.ts`) and answers what it printed: `cards` cards on `threads` threads, begun at
 * `startAt` (default: once ready), pinned to `core` when one is given, killed when `signal` aborts.
 */
export function runCeilingProcess(options: {
  readonly cards: number;
  readonly threads?: number;
  readonly startAt?: number;
  readonly core?: number;
  readonly signal?: AbortSignal;
}): Promise<CeilingProcessResult> {
  const script = fileURLToPath(compiledScript("ceiling-process.js", import.meta.url));
  const { cards, threads = 1, startAt = 0, core, signal } = options;
  const child = spawnNode([heapGrowingFlag, script, String(cards), String(startAt), String(threads)], {
    ...(core !== undefined && { core }),
    ...(signal && { signal }),
  });
  return new Promise((resolve, reject) => {
    let said = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    child.once("error", reject);
    // "close", not "exit": only then has all of its stdout been read.
    child.once("close", (code, signalName) => {
      if (code !== 0)
        reject(
          new Error(
            `a ceiling process ended with ${signalName ? `signal ${signalName}` : `exit code ${code}`}`,
          ),
        );
      else
        try {
          resolve(JSON.parse(said));
        } catch {
          reject(new Error(`a ceiling process printed no result: ${said.slice(0, 200)}`));
        }
    });
  });
}

if (isMainThread && process.argv[1]?.endsWith("ceiling-process.js"))
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
