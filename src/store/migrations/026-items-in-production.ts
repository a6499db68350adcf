import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";
import { createIndexes } from "./table-definitions.js";

/**
 * What a running batch has in production (store/batches.ts, `inProductionQuery`) counts the
 * pending items of its running chunks, and is asked at every claim and every recorded chunk.
 * Since 019 gave the throughput picture its (batch_id, state, updated_at) index, both databases
 * found those items through it, reading every pending item of the batch for each running chunk:
 * a 100,000-card batch's chunks each read up to 100,000 items, twice.
 *
 * SQLite weighs (batch_id, state) and 003's (batch_id, chunk, seq) alike, two equalities each,
 * and the query's `IS NOT DISTINCT FROM` does not keep it off the first (it serves IS from an
 * index): (batch_id, chunk, state) matches all three and wins. PostgreSQL cannot serve IS NOT
 * DISTINCT FROM from an index, so the chunk's index is its only good path and it needs no new
 * one (and no index to keep up on every item's change).
 */
export async function itemsInProduction(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  await createIndexes(db, "batch_items", { batch_items_chunk_state: ["batch_id", "chunk", "state"] });
}
