import type { Logger } from "pino";
import type { Clock } from "../domain/actor.js";
import { TesseraError } from "../domain/errors.js";
import type { AuditLog } from "../store/audit-log.js";
import type { Db } from "../store/database.js";

/**
 * Anchors the object history's head at regular intervals and once more at shutdown: a signed
 * checkpoint whenever entries were added since the last one. Without it, deleting the newest
 * entries would leave a shorter chain that still verifies.
 */
export interface CheckpointWriter {
  start(): void;
  /** Stops the timer and writes a last checkpoint; never throws (a failure is logged). */
  stop(): Promise<void>;
}

/** Writes checkpoints by timer once started, and a last one when stopped (see {@link CheckpointWriter}). */
export function createCheckpointWriter(params: {
  audit: AuditLog;
  db: Db;
  clock: Clock;
  log: Logger;
  /** How often to look for new entries; a minute by default. */
  intervalMs?: number;
}): CheckpointWriter {
  const { audit, db, clock, log } = params;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  // One write at a time in this process; the next waits for the one before.
  function write(): Promise<void> {
    writing = writing.then(async () => {
      try {
        await audit.writeCheckpoint(db, clock().toISOString());
      } catch (error) {
        // A broken history is the one thing this must shout about (in a sentence: it is a finding,
        // not a fault of the code); a retry follows by timer.
        if (error instanceof TesseraError && error.code === "audit.history_broken")
          log.error(
            { reason: error.details?.reason },
            `the object history is broken: ${error.details?.reason}; no checkpoint is signed over it`,
          );
        else log.error({ err: error }, "the object history's checkpoint could not be written");
      }
    });
    return writing;
  }

  return {
    start() {
      timer = setInterval(() => void write(), params.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await write();
    },
  };
}
