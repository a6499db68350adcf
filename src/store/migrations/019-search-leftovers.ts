import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";
import { createIndexes } from "./table-definitions.js";

/**
 * The name search within its budget at a million holders (issue 13), what migration 018 left
 * behind, and a batch's throughput picture.
 *
 * On PostgreSQL the words of each user's names move from a GIN index into a table of their own,
 * `name_search_words`, one row per word and user, with a b-tree each way. A GIN index answers
 * only "which rows": every match then cost a read of its users row and a probe of the cards,
 * and a word start shared by 1% of a million holders took a second. The b-trees answer from
 * the index alone, in both directions: the users whose words start so (`word like 'an%'`,
 * "C" collation so that the prefix is a range), and whether one user has such a word (to check
 * the cards of a list in its own order and stop at a page). The planner picks per query.
 * A trigger keeps the table in step with the names, with 018's `user_name_words` making the
 * words as before; 018's column, its GIN index and `user_name_search` are gone with it.
 * SQLite keeps 018's FTS5 table (store/name-search.ts chooses how to ask it).
 *
 * `cards.holder_key` (the holder's "last first" when the card was requested) has been read by
 * nothing since 018 found cards by their holder's current names: its index only slowed every
 * card written. The index goes first, as SQLite will not drop an indexed column.
 *
 * The throughput of a running batch (GET /api/v1/batches/{id}/throughput, asked every 5 s by each
 * viewer) counts its finished items per instant: with only the key (batch_id, card_id) to go by,
 * each call read every item of the batch from the table; this index holds the finished ones
 * apart, in the order the picture wants them.
 */
export async function searchLeftovers(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await postgresNameWords(db);
  await db.schema.dropIndex("cards_holder_key").execute();
  await db.schema.alterTable("cards").dropColumn("holder_key").execute();
  await createIndexes(db, "batch_items", { batch_items_state_updated: ["batch_id", "state", "updated_at"] });
}

async function postgresNameWords(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table name_search_words (
      user_id text not null,
      word text collate "C" not null,
      primary key (user_id, word))`.execute(db);
  // From the stored words: computing them again would cost the two regular expressions a row.
  await sql`
    insert into name_search_words (user_id, word)
    select u.id, w.word from users u, unnest(tsvector_to_array(u.name_words)) as w(word)`.execute(db);
  await sql`create index name_search_words_word on name_search_words (word, user_id)`.execute(db);
  await sql`
    create function name_search_words_follow() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        delete from name_search_words where user_id = old.id;
      end if;
      if tg_op <> 'DELETE' then
        insert into name_search_words (user_id, word)
        select new.id, w.word
          from unnest(tsvector_to_array(user_name_words(new.first_name, new.last_name, new.name_on_card))) as w(word);
      end if;
      return null;
    end
    $$`.execute(db);
  // Only a change of a name touches the words: a photo or an address does not.
  await sql`
    create trigger name_search_words_follow
    after insert or delete or update of id, first_name, last_name, name_on_card on users
    for each row execute function name_search_words_follow()`.execute(db);
  await sql`drop function user_name_search(text)`.execute(db);
  await sql`alter table users drop column name_words`.execute(db);
}
