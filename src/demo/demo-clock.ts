import type { Clock } from "../domain/actor.js";

/**
 * The demo's clock: true time, except while the demo seeds the office's past (cards made years
 * ago that end soon). Tessera reads the time only through its clock, so whatever runs then —
 * processes, the batch runner, the CA — records and signs as of that day.
 */
export interface DemoClock {
  readonly now: Clock;
  /** Runs `work` with the clock set back by `days`, and sets it true again however `work` ends. */
  during<T>(daysAgo: number, work: () => Promise<T>): Promise<T>;
}

export function createDemoClock(): DemoClock {
  let backMs = 0;
  return {
    now: () => new Date(Date.now() - backMs),
    async during(daysAgo, work) {
      backMs = daysAgo * 86_400_000;
      try {
        return await work();
      } finally {
        backMs = 0;
      }
    },
  };
}
