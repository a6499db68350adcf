import { type Kysely, sql } from "kysely";

/**
 * A software token is handed out a bounded number of times and only while its card is as the
 * batch made it, so its downloads are counted and the card's version is kept with it; and
 * a card remembers the batch that last took it (its `batch_id` only says which running batch
 * holds it now), filled in for cards produced before this migration from their batch items.
 * "The cards a batch took" is answered from the batch items by their primary key.
 */
export async function downloadsBatchLink(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("card_tokens")
    .addColumn("downloads", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // The card's version when the token was made: a card changed since (activated,
  // deactivated, …) no longer gets its token. Unknown for tokens made before.
  await db.schema.alterTable("card_tokens").addColumn("card_version", "integer").execute();
  // The batch that made the token: once its PIN letters are purged the token is not handed out.
  await db.schema.alterTable("card_tokens").addColumn("batch_id", "text").execute();
  await sql`
        update card_tokens set batch_id = (
          select i.batch_id from batch_items i join batches b on b.id = i.batch_id
           where i.card_id = card_tokens.card_id and i.state = 'done'
             and b.process = 'CardsBoProcIssueMultiple'
           order by b.created_at desc, b.id desc
           limit 1)`.execute(db);
  await db.schema.alterTable("cards").addColumn("last_batch_id", "text").execute();
  await sql`
        update cards set last_batch_id = (
          select i.batch_id from batch_items i join batches b on b.id = i.batch_id
           where i.card_id = cards.id
           order by b.created_at desc, b.id desc
           limit 1)
         where exists (select 1 from batch_items i where i.card_id = cards.id)`.execute(db);
  // The batches that took one card (the primary key leads with the batch).
  await db.schema.createIndex("batch_items_card").on("batch_items").columns(["card_id"]).execute();
}
