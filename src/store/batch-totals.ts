import type { Db } from "./database.js";

/**
 * Sets how many cards and chunks a batch order holds, once its claims are made: the batch row is
 * written first (the cards' claim refers to it) and learns its size only after claiming.
 */
export async function setBatchTotals(
  db: Db,
  batchId: string,
  totals: { total: number; chunks: number },
): Promise<void> {
  await db
    .updateTable("batches")
    .set({ total: totals.total, chunks: totals.chunks })
    .where("id", "=", batchId)
    .execute();
}
