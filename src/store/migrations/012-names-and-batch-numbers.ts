import { type Kysely, sql } from "kysely";

/**
 * Issue 13: a user may have a name on card, printed and certified instead of the legal name when
 * that does not fit the card (too long, or letters the card's font cannot print); and every batch
 * has a short number an operator can read and say ("batch 42"), not an id. Batches made before
 * are numbered in the order they were made, and the sequence new batches draw from goes on
 * after the last of them.
 */
export async function namesAndBatchNumbers(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("name_on_card", "text").execute();
  await db.schema.alterTable("batches").addColumn("number", "integer").execute();
  await sql`
        update batches set number = (
          select count(*) from batches earlier
           where earlier.created_at < batches.created_at
              or (earlier.created_at = batches.created_at and earlier.id <= batches.id))`.execute(db);
  await sql`
        insert into sequences (name, value)
        select 'batch-number', (select count(*) from batches) where exists (select 1 from batches)`.execute(
    db,
  );
  await db.schema.createIndex("batches_number").on("batches").column("number").unique().execute();
}
