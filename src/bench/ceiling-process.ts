import { isMainThread } from "node:worker_threads";
import { benchCardCeiling } from "./bench-chunk.js";

/**
 * `node ceiling-process.js <cards> <startAt>`: the bare-crypto ceiling (`benchCardCeiling`) of
 * one thread in a process of its own, begun at `startAt` (`Date.now()` milliseconds) once its
 * thread is ready; prints the result as JSON. `bench workers` starts it pinned to one core, or two
 * of it pinned to a core each, to measure how the bare crypto itself scales from one core to two
 * on this machine: the limit of its worker processes' ratio.
 */
async function main(args: readonly string[]): Promise<void> {
  const [cards, startAt] = args.map(Number);
  if (!Number.isInteger(cards) || !Number.isFinite(startAt))
    throw new Error("usage: ceiling-process.js <cards> <startAt ms>");
  const result = await benchCardCeiling({ cards: cards!, threads: 1, startAt: startAt! });
  // When it began, so the caller can tell that processes begun together did run together.
  const startedAt = Date.now() - result.seconds * 1000;
  process.stdout.write(`${JSON.stringify({ ...result, startedAt })}\n`);
}

if (isMainThread && process.argv[1]?.endsWith("ceiling-process.js"))
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
