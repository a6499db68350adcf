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

async function measure(runs: number, query: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await query(i);
    times.push(performance.now() - started);
  }
  return p95(times);
}

/**
 * `npm run bench -- search [--size N]`: the BATCH ORDERS search (approved cards, a page of 50
 * with its total) at N cards, 40% of them approved, as the API runs it; p95 in milliseconds.
 */
export async function benchSearchCommand({ size, databaseUrl }: BenchAppOptions) {
  const env: NodeJS.ProcessEnv = { DATABASE_URL: databaseUrl };
  return withBenchApp("search", { env, logLevel: "warn" }, async (app) => {
    const { db } = app.services.store;
    const seedStart = performance.now();
    const approved = Math.round(size * 0.4);
    await insertBenchHolders(app.services.store, approved, "approved");
    await insertBenchHolders(app.services.store, size - approved, "issued", approved);
    await analyzeTables(app.services.store);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const runs = 100;
    const first = await measure(runs, () => searchCards(db, { state: "approved" }, { limit: 50 }));
    const cursors: string[] = [];
    let page = await searchCards(db, { state: "approved" }, { limit: 50 });
    for (let i = 0; i < runs && page.nextCursor; i++) {
      cursors.push(page.nextCursor);
      page = await searchCards(db, { state: "approved" }, { cursor: page.nextCursor, limit: 50 });
    }
    const next = await measure(cursors.length, (i) =>
      searchCards(db, { state: "approved" }, { cursor: cursors[i], limit: 50 }),
    );
    const byTemplate = await measure(runs, () =>
      searchCards(db, { state: "approved", template: "Employee ID" }, { limit: 50 }),
    );
    const byHolder = await measure(runs, (i) =>
      searchCards(db, { state: "approved", q: `bench${(i * 7) % 1009}` }, { limit: 50 }),
    );
    const byUnit = await measure(runs, (i) =>
      searchCards(db, { state: "approved", organizationalUnit: `Unit ${i % 20}` }, { limit: 50 }),
    );
    return {
      benchmark: "search",
      database: app.services.store.dialect,
      cards: size,
      approved,
      p95Ms: {
        firstPage: first,
        nextPage: next,
        template: byTemplate,
        holderPrefix: byHolder,
        organizationalUnit: byUnit,
      },
      target: "p95 <= 50 ms",
      seedSeconds: Math.round(seedSeconds),
    };
  });
}
