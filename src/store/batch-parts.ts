import { sql } from "kysely";
import type { Db, Dialect } from "./database.js";

/** The print-file and PIN-letter parts of a batch: one PDF of each per chunk. */

export type PartKind = "print" | "pinLetters";

export async function insertBatchPart(
  db: Db,
  part: { batchId: string; kind: PartKind; chunk: number; pages: number; data: Buffer },
): Promise<void> {
  await db
    .insertInto("batch_parts")
    .values({
      batch_id: part.batchId,
      kind: part.kind,
      chunk: part.chunk,
      pages: part.pages,
      data: part.data,
    })
    .execute();
}

export async function listBatchParts(db: Db, batchId: string, kind: PartKind) {
  const rows = await db
    .selectFrom("batch_parts")
    .select(["chunk", "pages", (eb) => eb.fn("length", [eb.ref("data")]).as("bytes")])
    .where("batch_id", "=", batchId)
    .where("kind", "=", kind)
    .orderBy("chunk")
    .execute();
  return rows.map((r) => ({ chunk: Number(r.chunk), pages: Number(r.pages), bytes: Number(r.bytes) }));
}

export async function readBatchPart(
  db: Db,
  batchId: string,
  kind: PartKind,
  chunk: number,
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom("batch_parts")
    .select("data")
    .where("batch_id", "=", batchId)
    .where("kind", "=", kind)
    .where("chunk", "=", chunk)
    .executeTakeFirst();
  return row && Buffer.from(row.data);
}

export async function purgePinLetters(db: Db, batchId: string, at: string): Promise<void> {
  await db
    .deleteFrom("batch_parts")
    .where("batch_id", "=", batchId)
    .where("kind", "=", "pinLetters")
    .execute();
  await db
    .updateTable("batches")
    .set({ pin_letters_purged_at: at, updated_at: at })
    .where("id", "=", batchId)
    .execute();
}

/**
 * Erases the bytes of purged rows from every file once the purge has committed. SQLite
 * (secure_delete on) has zeroed the freed pages, but their old images still sit in the WAL:
 * a TRUNCATE checkpoint copies the zeroed pages into the database file and empties the WAL.
 * PostgreSQL offers no such guarantee; VACUUM (outside any transaction) marks the dead
 * tuples' space free for reuse, the most that can be done without locking the table.
 * Returns whether the WAL was fully checkpointed (always true on PostgreSQL).
 */
export async function scrubPurgedBatchParts(db: Db, dialect: Dialect): Promise<boolean> {
  if (dialect === "postgres") {
    await sql`vacuum batch_parts`.execute(db);
    return true;
  }
  const result = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  return Number(result.rows[0]?.busy ?? 0) === 0;
}
