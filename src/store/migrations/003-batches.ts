import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";
import { blobType, createIndexes, createTable } from "./table-definitions.js";

/**
 * Batch orders: the batch, its chunks (the unit a worker produces and the runner commits at
 * once), one item per card, the print-file and PIN-letter parts of each chunk, and the
 * software tokens the software encoder makes.
 */
export async function batches(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const blob = blobType(dialect);
  await createTable(db, "batches", {
    id: "text primary key",
    process: "text not null",
    state: "text not null",
    options: "text not null",
    created_by: "text not null",
    created_by_name: "text not null",
    created_at: "text not null",
    updated_at: "text not null",
    finished_at: "text",
    total: "integer not null",
    done: "integer default 0 not null",
    failed: "integer default 0 not null",
    released: "integer default 0 not null",
    chunks: "integer not null",
    pin_letters_purged_at: "text",
  }).execute();
  await createIndexes(db, "batches", {
    batches_created: ["created_at", "id"],
    batches_state: ["state", "created_at"],
  });

  await createTable(db, "batch_chunks", {
    batch_id: "text not null references batches.id",
    chunk: "integer not null",
    state: "text not null",
    claimed_by: "text",
    lease_until: "text",
    attempts: "integer default 0 not null",
    updated_at: "text not null",
  })
    .addPrimaryKeyConstraint("batch_chunks_pk", ["batch_id", "chunk"])
    .execute();
  await createIndexes(db, "batch_chunks", { batch_chunks_state: ["state", "batch_id", "chunk"] });

  await createTable(db, "batch_items", {
    batch_id: "text not null references batches.id",
    card_id: "text not null references cards.id",
    seq: "integer not null",
    chunk: "integer not null",
    state: "text not null",
    code: "text",
    reason: "text",
    ms: "integer",
    updated_at: "text not null",
  })
    .addPrimaryKeyConstraint("batch_items_pk", ["batch_id", "card_id"])
    .execute();
  await createIndexes(db, "batch_items", {
    batch_items_chunk: ["batch_id", "chunk", "seq"],
    batch_items_seq: ["batch_id", "seq"],
  });

  await createTable(db, "batch_parts", {
    batch_id: "text not null references batches.id",
    kind: "text not null",
    chunk: "integer not null",
    pages: "integer not null",
    data: `${blob} not null`,
  })
    .addPrimaryKeyConstraint("batch_parts_pk", ["batch_id", "kind", "chunk"])
    .execute();

  await createTable(db, "card_tokens", {
    card_id: "text primary key references cards.id",
    token: `${blob} not null`,
    created_at: "text not null",
  }).execute();
}
