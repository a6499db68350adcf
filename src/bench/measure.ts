/** The small measuring tools every benchmark shares. */

/** The value below which `p` percent of `sorted` (ascending) lie; 0 for none. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Runs `step` from `concurrency` loops for `seconds`; returns completions per second. A step
 * that returns a number completed that many; any other step completed one.
 */
export async function rate(
  seconds: number,
  concurrency: number,
  step: () => Promise<unknown> | unknown,
): Promise<number> {
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const done = await step();
        count += typeof done === "number" ? done : 1;
      }
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}
