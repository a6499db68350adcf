import { setTimeout as sleep } from "node:timers/promises";
import { analyzeTables, insertBenchHolders } from "../store/bench-holders.js";
import { searchCards } from "../store/cards.js";
import { type BenchAppOptions, withBenchApp } from "./bench-app.js";
import { percentile, round } from "./measure.js";

const p95 = (ms: number[]) =>
  round(
    percentile(
      [...ms].sort((a, b) => a - b),
      95,
    ),
    2,
  );

/**
 * `npm run bench -- expiry [--size N]`: one expiry pass over N certificates whose end has passed
 * (N/2 active cards, two certificates each), among approved cards and cards that end next year,
 * while the BATCH ORDERS search (approved cards, a page of 50 with its total) keeps running in the
 * same process, a request 10 ms after each answer, as API requests would. The search's p95 during the pass against its
 * p95 before it says whether the pass blocks the API.
 */
export async function benchExpiryCommand({ size, databaseUrl }: BenchAppOptions) {
  const env: NodeJS.ProcessEnv = { DATABASE_URL: databaseUrl };
  return withBenchApp("expiry", { env, logLevel: "warn" }, async (app) => {
    const { store } = app.services;
    const seedStart = performance.now();
    const certificateDer = app.services.ca.identity.certificateDer;
    const ended = new Date(Date.now() - 3600_000).toISOString();
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const expiringCards = Math.ceil(size / 2);
    const others = Math.max(1000, Math.round(size / 5));
    await insertBenchHolders(store, expiringCards, "active", 0, { expiresAt: ended, certificateDer });
    await insertBenchHolders(store, others, "active", expiringCards, { expiresAt: nextYear, certificateDer });
    await insertBenchHolders(store, others, "approved", expiringCards + others);
    await analyzeTables(store);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    // A request arrives 10 ms after the previous answer; its time runs from then, so a pass that
    // holds the event loop (SQLite works synchronously) counts against it too.
    let arrives = performance.now();
    const search = async (times: number[]) => {
      await sleep(10);
      arrives += 10;
      await searchCards(store.db, { state: "approved" }, { limit: 50 });
      const answered = performance.now();
      times.push(answered - arrives);
      arrives = answered;
    };
    const idle: number[] = [];
    for (let i = 0; i < 100; i++) await search(idle);

    const during: number[] = [];
    let passing = true;
    const passStart = performance.now();
    const pass = app.expiry.runNow().finally(() => {
      passing = false;
    });
    const searches = (async () => {
      arrives = performance.now();
      while (passing) await search(during);
    })();
    const counts = await pass;
    const passSeconds = (performance.now() - passStart) / 1000;
    await searches;
    return {
      benchmark: "expiry",
      database: store.dialect,
      expired: counts,
      passSeconds: round(passSeconds, 1),
      certificatesPerSecond: Math.round(counts.certificates / passSeconds),
      searchP95Ms: { idle: p95(idle), duringPass: p95(during), searchesDuringPass: during.length },
      target: "search p95 during the pass <= 50 ms",
      seedSeconds: Math.round(seedSeconds),
    };
  });
}
