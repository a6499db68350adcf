import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Batch orders: the batch, its chunks (the unit a worker produces and the runner commits at
 * once), one item per card, the print-file and PIN-letter parts of each chunk, and the
 * software tokens the software encoder makes.
 */
export function batches(dialect: Dialect) {
  const blob = sql.raw(dialect === "postgres" ? "bytea" : "blob");
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("batches")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("process", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("options", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_by_name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("total", "integer", (c) => c.notNull())
        .addColumn("done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("released", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("chunks", "integer", (c) => c.notNull())
        .addColumn("pin_letters_purged_at", "text")
        .execute();
      await db.schema.createIndex("batches_created").on("batches").columns(["created_at", "id"]).execute();
      await db.schema.createIndex("batches_state").on("batches").columns(["state", "created_at"]).execute();

      await db.schema
        .createTable("batch_chunks")
        .addColumn("batch_id", "text", (c) => c.notNull().references("batches.id"))
        .addColumn("chunk", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("claimed_by", "text")
        .addColumn("lease_until", "text")
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("batch_chunks_pk", ["batch_id", "chunk"])
        .execute();
      await db.schema
        .createIndex("batch_chunks_state")
        .on("batch_chunks")
        .columns(["state", "batch_id", "chunk"])
        .execute();

      await db.schema
        .createTable("batch_items")
        .addColumn("batch_id", "text", (c) => c.notNull().references("batches.id"))
        .addColumn("card_id", "text", (c) => c.notNull().references("cards.id"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("chunk", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("code", "text")
        .addColumn("reason", "text")
        .addColumn("ms", "integer")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("batch_items_pk", ["batch_id", "card_id"])
        .execute();
      await db.schema
        .createIndex("batch_items_chunk")
        .on("batch_items")
        .columns(["batch_id", "chunk", "seq"])
        .execute();
      await db.schema.createIndex("batch_items_seq").on("batch_items").columns(["batch_id", "seq"]).execute();

      await db.schema
        .createTable("batch_parts")
        .addColumn("batch_id", "text", (c) => c.notNull().references("batches.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("chunk", "integer", (c) => c.notNull())
        .addColumn("pages", "integer", (c) => c.notNull())
        .addColumn("data", blob, (c) => c.notNull())
        .addPrimaryKeyConstraint("batch_parts_pk", ["batch_id", "kind", "chunk"])
        .execute();

      await db.schema
        .createTable("card_tokens")
        .addColumn("card_id", "text", (c) => c.primaryKey().references("cards.id"))
        .addColumn("token", blob, (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
  };
}
