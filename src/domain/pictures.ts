/**
 * The time slices of the operator UI's pictures (issue 13): a batch's throughput over time and
 * the certificates that expire per month. Pure arithmetic on ISO instants, no I/O.
 */

/** The slice lengths a throughput picture uses, in seconds: the shortest that needs no more than {@link maxSlices}. */
const sliceSteps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400];

/** Enough bars to read a trend, few enough for a phone's width. */
export const maxSlices = 24;

/** Cards a batch recorded finished at one instant (a chunk finishes its cards together). */
export interface FinishedAt {
  at: string;
  done: number;
  failed: number;
}

/** One time slice of a batch's throughput: the cards finished from `start` for the slice's length. */
export interface ThroughputSlice {
  start: string;
  done: number;
  failed: number;
}

/**
 * Cuts the span from `from` (the batch's start) to `to` (its end, or now) into equal slices of a
 * round length and counts the cards finished in each. A finish before `from` or after `to`
 * (clocks of several Tessera instances differ a little) counts in the first or the last slice, so
 * the slices always total what was recorded.
 */
export function sliceThroughput(
  from: string,
  to: string,
  finished: readonly FinishedAt[],
): { sliceSeconds: number; slices: ThroughputSlice[] } {
  const start = Date.parse(from);
  const span = Math.max(Date.parse(to) - start, 0);
  const sliceSeconds =
    sliceSteps.find((step) => step * 1000 * maxSlices > span) ?? Math.ceil((span + 1) / 1000 / maxSlices);
  const width = sliceSeconds * 1000;
  const count = Math.max(Math.ceil((span + 1) / width), 1);
  const slices: ThroughputSlice[] = Array.from({ length: count }, (_, i) => ({
    start: new Date(start + i * width).toISOString(),
    done: 0,
    failed: 0,
  }));
  for (const f of finished) {
    const i = Math.min(Math.max(Math.floor((Date.parse(f.at) - start) / width), 0), count - 1);
    const slice = slices[i]!;
    slice.done += f.done;
    slice.failed += f.failed;
  }
  return { sliceSeconds, slices };
}

/** One calendar month (UTC) of the expiry picture: `month` is `YYYY-MM`; the range is [from, to). */
export interface MonthWindow {
  month: string;
  from: string;
  to: string;
}

/**
 * The `months` calendar months (UTC) from `now`: the current one from now to its end, then the
 * whole months after it. A certificate whose end has passed is not counted in any.
 */
export function monthsFrom(now: Date, months: number): MonthWindow[] {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return Array.from({ length: months }, (_, i) => {
    const first = new Date(Date.UTC(year, month + i, 1));
    const next = new Date(Date.UTC(year, month + i + 1, 1));
    return {
      month: first.toISOString().slice(0, 7),
      from: i === 0 ? now.toISOString() : first.toISOString(),
      to: next.toISOString(),
    };
  });
}
