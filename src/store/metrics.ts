import type { CardState } from "../domain/card-states.js";
import type { CertificateState } from "../domain/certificate-states.js";
import type { Db } from "./database.js";

/** What `/metrics` reports from the database, read at each scrape. */
export interface StoreMetrics {
  readonly batchesRunning: number;
  /** Cards issued by Issue multiple cards, ever: the `done` items of every such batch. */
  readonly cardsProduced: number;
  readonly cards: readonly { state: CardState; template: string; count: number }[];
  readonly certificates: readonly { state: CertificateState; count: number }[];
  /** `thisUpdate` of the newest CRL, if one was published. */
  readonly latestCrlThisUpdate: string | undefined;
}

/**
 * Reads the counts `/metrics` shows. Cards come from `card_counts` (kept by triggers, so no scan
 * of `cards`); certificates are counted on their `(state, serial)` index; batches are few.
 */
export async function readStoreMetrics(db: Db): Promise<StoreMetrics> {
  const [running, produced, cards, certificates, crl] = await Promise.all([
    db
      .selectFrom("batches")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("state", "=", "running")
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("batches")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("done"), eb.lit(0)).as("n"))
      .where("process", "=", "CardsBoProcIssueMultiple")
      .executeTakeFirstOrThrow(),
    db.selectFrom("card_counts").select(["state", "template", "n"]).where("n", ">", 0).execute(),
    db
      .selectFrom("certificates")
      .select((eb) => ["state", eb.fn.countAll<number>().as("n")])
      .groupBy("state")
      .execute(),
    db.selectFrom("crls").select("this_update").orderBy("number", "desc").limit(1).executeTakeFirst(),
  ]);
  return {
    batchesRunning: Number(running.n),
    cardsProduced: Number(produced.n),
    cards: cards.map((row) => ({
      state: row.state as CardState,
      template: row.template,
      count: Number(row.n),
    })),
    certificates: certificates.map((row) => ({ state: row.state as CertificateState, count: Number(row.n) })),
    latestCrlThisUpdate: crl?.this_update,
  };
}
