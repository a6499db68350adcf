import type { TestApp } from "./test-app.js";

/**
 * Puts one chunk of a batch in the hands of another Tessera whose lease has already run out,
 * as one that crashed or stalled mid-chunk leaves it: a test's way to a chunk "in production".
 */
export async function leaseChunkElsewhere(
  t: TestApp,
  batch: { batchId: string; chunk: number; attempts?: number },
): Promise<void> {
  const { batchId, chunk, attempts } = batch;
  await t.app.services.store.db
    .updateTable("batch_chunks")
    .set({
      state: "running",
      claimed_by: "elsewhere",
      lease_until: new Date(t.app.services.clock().getTime() - 60_000).toISOString(),
      ...(attempts !== undefined && { attempts }),
    })
    .where("batch_id", "=", batchId)
    .where("chunk", "=", chunk)
    .execute();
}
