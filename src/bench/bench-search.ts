import { analyzeTables, insertBenchHolders } from "../store/bench-holders.js";
import { searchCards } from "../store/cards.js";
import { searchUsers } from "../store/users.js";
import { type BenchAppOptions, withBenchApp } from "./bench-app.js";
import { percentile, round } from "./measure.js";

/** The p-th percentile of the times, in milliseconds to a hundredth. */
const pct = (ms: readonly number[], p: number) =>
  round(
    percentile(
      [...ms].sort((a, b) => a - b),
      p,
    ),
    2,
  );

/** Each run's time, in milliseconds. */
async function time(runs: number, query: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await query(i);
    times.push(performance.now() - started);
  }
  return times;
}

async function measure(runs: number, query: (i: number) => Promise<unknown>): Promise<number> {
  return pct(await time(runs, query), 95);
}

async function measureBoth(runs: number, query: (i: number) => Promise<unknown>) {
  const times = await time(runs, query);
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

/**
 * `npm run bench -- search [--size N]`: the BATCH ORDERS search (approved cards, a page of 50
 * with its total) at N cards, 40% of them approved, as the API runs it; p95 in milliseconds.
 * `nameMs` times the holder-name search (issue 13: words of the first or last name, in any
 * order) on the approved cards and on the users, p50 and p95. The bench's holders are
 * "Holder<0..996> Bench<0..1008>", so one last name is about N/1009 holders.
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
    // Three-digit numbers are whole words here (no name numbers above 1008): one last name is
    // ~N/1009 holders, a first and a last name (in the wrong order) ~N/1,000,000. A two-digit
    // start ("bench51": Bench51 and Bench510-519) is 11 last names, ~1% of all holders: the
    // broad case, where every match is counted.
    const lastName = (i: number) => `bench${101 + ((i * 13) % 899)}`;
    const firstAndLast = (i: number) => `holder${101 + (i % 896)} ${lastName(i)}`;
    const nameMs = {
      cardsByLastName: await measureBoth(runs, (i) =>
        searchCards(db, { state: "approved", q: lastName(i) }, { limit: 50 }),
      ),
      cardsByFirstAndLastName: await measureBoth(runs, (i) =>
        searchCards(db, { state: "approved", q: firstAndLast(i) }, { limit: 50 }),
      ),
      cardsByWordStart: await measureBoth(runs, (i) =>
        searchCards(db, { state: "approved", q: `bench${10 + (i % 90)}` }, { limit: 50 }),
      ),
      usersByLastName: await measureBoth(runs, (i) => searchUsers(db, { q: lastName(i) }, { limit: 50 })),
      usersByFirstAndLastName: await measureBoth(runs, (i) =>
        searchUsers(db, { q: firstAndLast(i) }, { limit: 50 }),
      ),
      // A last name's start is where the users' order ("last first") follows the match.
      usersByWordStart: await measureBoth(runs, (i) =>
        searchUsers(db, { q: `bench${10 + (i % 90)}` }, { limit: 50 }),
      ),
      // One letter that starts every holder's name: the count stops at its cap (issue 13).
      cardsByOneLetter: await measureBoth(10, () =>
        searchCards(db, { state: "approved", q: "b" }, { limit: 50 }),
      ),
      usersByOneLetter: await measureBoth(10, () => searchUsers(db, { q: "h" }, { limit: 50 })),
      // The Cards list without a state: every card in request order.
      cardsOfAnyStateByWordStart: await measureBoth(runs, (i) =>
        searchCards(db, { q: `holder${10 + (i % 90)}` }, { limit: 50 }),
      ),
    };
    const byNumber = await measureBoth(runs, () =>
      searchCards(db, { state: "approved" }, { limit: 50 }, { by: "cardNumber", direction: "desc" }),
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
      approvedByCardNumberMs: byNumber,
      nameMs,
      target: "p95 <= 50 ms",
      seedSeconds: Math.round(seedSeconds),
    };
  });
}
