import type { Logger } from "pino";
import type { Services } from "../services/services.js";
import { type ExpiryCounts, expireDue } from "./expire-due.js";

/**
 * Time moves the states: every Tessera process runs this, and the passes of several processes
 * on one PostgreSQL take turns (see {@link expireDue}). The first pass runs at start, so a
 * Tessera that was down when certificates or cards reached their end catches up at once.
 */
export interface ExpiryScheduler {
  start(): void;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
  /** Runs a pass now (or joins the one under way) and answers what it changed. */
  runNow(): Promise<ExpiryCounts>;
}

export function createExpiryScheduler(params: {
  services: Pick<Services, "store" | "audit" | "clock">;
  log: Logger;
  intervalMs: number;
}): ExpiryScheduler {
  const { services, log } = params;
  let running: Promise<ExpiryCounts> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function runNow(): Promise<ExpiryCounts> {
    running ??= expireDue(services)
      .then((counts) => {
        if (counts.certificates > 0 || counts.cards > 0) log.info(counts, "expired what reached its end");
        return counts;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const tick = () => {
    runNow().catch((error: unknown) =>
      log.error({ err: error }, "the expiry pass failed; it runs again later"),
    );
  };

  return {
    runNow,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, params.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
