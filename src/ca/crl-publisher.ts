import type { Logger } from "pino";
import type { Clock } from "../domain/actor.js";
import { buildCrl, type CrlEntry } from "../pki/index.js";
import { currentCertificateStatusVersion, listRevokedCertificates } from "../store/certificates.js";
import { type CrlRecord, findLatestCrl, insertCrl, lockCrlPublication } from "../store/crls.js";
import { type Store, transact } from "../store/database.js";
import type { CertificateAuthority } from "./certificate-authority.js";

/**
 * Keeps a current CRL. Status changes only bump a counter; the CRL is re-signed when it is
 * asked for while stale, by a timer a moment after changes stop arriving, and before its
 * nextUpdate. So 10,000 holds in a batch make one CRL when the batch ends, not 10,000, nor one
 * every few seconds from each process while it runs (a 100,000-card batch of held cards made a
 * CRL of up to 200,000 entries every 5 seconds in every worker process).
 */
export interface CrlPublisher {
  /** The newest CRL, re-signed first if a status changed since or nextUpdate is near. */
  current(): Promise<CrlRecord>;
  /**
   * What the timer does every few seconds: re-signs a stale CRL (a status changed, or its
   * nextUpdate is near) once no status changed since the last tick, or after it has waited
   * 5 minutes for that; at once when there is none yet.
   */
  tick(): Promise<void>;
  start(): void;
  stop(): void;
}

export function createCrlPublisher(params: {
  store: Store;
  ca: CertificateAuthority;
  clock: Clock;
  nextUpdateHours: number;
  log: Logger;
  /** How often the timer looks for a stale CRL. */
  intervalMs?: number;
}): CrlPublisher {
  const { store, ca, clock, log } = params;
  const validityMs = params.nextUpdateHours * 3600_000;
  // Re-sign when a quarter of the validity is left, so relying parties never hold an expired CRL.
  const refreshBeforeMs = validityMs / 4;
  let building: Promise<CrlRecord> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const isFresh = (crl: CrlRecord | undefined, version: number, now: Date): boolean =>
    crl !== undefined &&
    crl.statusVersion >= version &&
    Date.parse(crl.nextUpdate) - now.getTime() > refreshBeforeMs;

  async function rebuild(): Promise<CrlRecord> {
    return transact(store, async (trx) => {
      await lockCrlPublication(trx, store.dialect);
      const now = clock();
      const version = await currentCertificateStatusVersion(trx);
      const latest = await findLatestCrl(trx);
      if (latest && isFresh(latest, version, now)) return latest;
      const number = (latest?.number ?? 0) + 1;
      const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
      const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
      // What the previous CRL listed after its end may leave now (RFC 5280 §3.3).
      const entries: CrlEntry[] = [];
      for await (const row of listRevokedCertificates(trx, latest?.thisUpdate))
        entries.push({ serial: row.serial, revokedAt: new Date(row.revokedAt), reason: row.reason });
      const der = await buildCrl({
        ca: ca.identity,
        signer: ca.signer,
        crlNumber: BigInt(number),
        thisUpdate,
        nextUpdate,
        entries,
      });
      const record: CrlRecord = {
        number,
        thisUpdate: thisUpdate.toISOString(),
        nextUpdate: nextUpdate.toISOString(),
        statusVersion: version,
        entries: entries.length,
        der,
      };
      await insertCrl(trx, record);
      log.info({ crlNumber: number, entries: entries.length }, "CRL published");
      return record;
    });
  }

  /** One build at a time in this process; callers arriving meanwhile share it. */
  function build(): Promise<CrlRecord> {
    building ??= rebuild().finally(() => {
      building = undefined;
    });
    return building;
  }

  /** The newest CRL and the status version it must have reached to be current. */
  const newest = () => Promise.all([findLatestCrl(store.db), currentCertificateStatusVersion(store.db)]);

  async function current(): Promise<CrlRecord> {
    const [latest, version] = await newest();
    if (latest && isFresh(latest, version, clock())) return latest;
    return build();
  }

  /** How long a stale CRL waits for the statuses to stop changing. */
  const longestWaitMs = 5 * 60_000;
  /** The status version the last tick saw. */
  let seen: number | undefined;
  async function tick(): Promise<void> {
    const [latest, version] = await newest();
    const quiet = version === seen;
    seen = version;
    const now = clock();
    if (isFresh(latest, version, now)) return;
    // Statuses still changing (a batch holding its cards' certificates): wait for the quiet, but
    // not for longer than a few minutes, so a revocation made during a long batch is published
    // (and the CRL's age, which monitoring watches, stays low) even if nobody asks for the CRL.
    const waited = now.getTime() - Date.parse(latest?.thisUpdate ?? now.toISOString());
    if (latest && !quiet && waited < longestWaitMs) return;
    await build();
  }

  return {
    current,
    tick,
    start() {
      timer = setInterval(() => {
        tick().catch((error: unknown) => log.error({ err: error }, "CRL publication failed"));
      }, params.intervalMs ?? 5000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
