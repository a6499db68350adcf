import type { Kysely } from "kysely";
import { createTable } from "./table-definitions.js";

/**
 * The card templates of each chunk, written when its batch is ordered: a process takes only the
 * chunks whose templates it makes (a production station with readers of one card type leaves
 * another's to the station that has them) by a few rows per chunk, not by reading its cards.
 * A chunk ordered before this migration has none, and any process takes it, as before.
 */
export async function chunkTemplates(db: Kysely<unknown>): Promise<void> {
  await createTable(db, "batch_chunk_templates", {
    batch_id: "text not null references batches.id",
    chunk: "integer not null",
    template: "text not null",
  })
    .addPrimaryKeyConstraint("batch_chunk_templates_pk", ["batch_id", "chunk", "template"])
    .execute();
}
