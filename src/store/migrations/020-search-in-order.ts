import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";
import { createIndexes } from "./table-definitions.js";

/**
 * The lists' orders and the name search at a million holders, measured on a quiet machine
 * (issue 13):
 *
 * - Cards of every state in request order (the Cards list without a state) and a state's cards
 *   by card number had no index in that order: each page sorted every card (SQLite 2.3 s and
 *   1.1 s at a million).
 * - SQLite: FTS5 answers a short word start ("b", "an", "and") by merging the lists of every
 *   word that starts so — a thousand lists for "b", 150–270 ms. Its prefix index keeps one list
 *   per start of one to three characters, so such a start is one list, and one holder can be
 *   checked against it without merging anything (store/name-search.ts does that when a short
 *   start matches many).
 * - PostgreSQL: users are listed by "last first", which a word start of the last name follows:
 *   read in that order, the users before the first match (four in ten for "bench49") were each
 *   checked, and read from the matches instead, each match cost a read of its users row to be
 *   sorted. The words now carry their user's sort name, so the matches of a word start are
 *   sorted from the index alone and only a page's users are read.
 */
export async function searchInOrder(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await createIndexes(db, "cards", {
    cards_requested: ["requested_at", "id"],
    cards_state_number: ["state", "card_number", "id"],
  });
  if (dialect === "sqlite") {
    await sqlitePrefixIndex(db);
    // Where the planner has statistics (a deployment that runs ANALYZE), the new indexes get
    // theirs: judged by guess against measured ones, "state = ?" on the new index looked rarer
    // than on the one in request order, and a page of approved cards sorted 400,000 of them.
    const { rows } = await sql`select 1 from sqlite_master where name = 'sqlite_stat1'`.execute(db);
    if (rows.length > 0) await sql`analyze cards`.execute(db);
  } else {
    await postgresWordsInOrder(db);
    // The planner's view of the new table, at once rather than at autovacuum's next round.
    await sql`analyze name_search_words`.execute(db);
  }
}

/**
 * 018's FTS5 table made again with a prefix index. Its triggers on `users` name the table and
 * are compiled when they run, so they keep working on the new one.
 */
async function sqlitePrefixIndex(db: Kysely<unknown>): Promise<void> {
  await sql`drop table user_name_search`.execute(db);
  await sql`
    create virtual table user_name_search using fts5(
      id unindexed, first_name, last_name, name_on_card,
      content = 'users', content_rowid = 'rowid',
      tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')`.execute(db);
  await sql`insert into user_name_search (user_name_search) values ('rebuild')`.execute(db);
}

async function postgresWordsInOrder(db: Kysely<unknown>): Promise<void> {
  // Made anew rather than updated: an update would leave a dead copy of every row behind.
  await sql`
    create table name_search_words_next (
      user_id text not null,
      word text collate "C" not null,
      search_name text not null)`.execute(db);
  await sql`
    insert into name_search_words_next (user_id, word, search_name)
    select w.user_id, w.word, u.search_name from name_search_words w join users u on u.id = w.user_id`.execute(
    db,
  );
  await sql`drop table name_search_words`.execute(db);
  await sql`alter table name_search_words_next rename to name_search_words`.execute(db);
  await sql`alter table name_search_words add primary key (user_id, word)`.execute(db);
  // search_name in the users table's collation, as the users list compares it.
  await sql`create index name_search_words_word on name_search_words (word, search_name, user_id)`.execute(
    db,
  );
  await sql`
    create or replace function name_search_words_follow() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        delete from name_search_words where user_id = old.id;
      end if;
      if tg_op <> 'DELETE' then
        insert into name_search_words (user_id, word, search_name)
        select new.id, w.word, new.search_name
          from unnest(tsvector_to_array(user_name_words(new.first_name, new.last_name, new.name_on_card))) as w(word);
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`drop trigger name_search_words_follow on users`.execute(db);
  await sql`
    create trigger name_search_words_follow
    after insert or delete or update of id, first_name, last_name, name_on_card, search_name on users
    for each row execute function name_search_words_follow()`.execute(db);
}
