/** The small measuring tools every benchmark shares. */

/** The value below which `p` percent of `sorted` (ascending) lie; 0 for none. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The item in the middle when `items` are ordered by `key`. Only an
 * odd number of items has one: a RangeError otherwise, rather than a median that is no item's.
 */
export function medianItem<T>(items: readonly T[], key: (item: T) => number): T {
  if (items.length % 2 !== 1)
    throw new RangeError(`a median item needs an odd number of items, not ${items.length}`);
  return [...items].sort((a, b) => key(a) - key(b))[(items.length - 1) / 2]!;
}

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
