import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";
import { createIndexes } from "./table-definitions.js";

/**
 * Issue 13: a holder is found by any word of their first name, last name or name on card
 * ("magd" finds "Anna Maria-Magdalena Svensson"), not only by the start of the last name.
 * Both databases answer the same call, `select id from user_name_search(<query>)`, where the
 * query is FTS5's syntax of quoted prefix terms (`"maria"* "magd"*`, built by
 * store/name-search.ts): on SQLite it is an FTS5 table (a table-valued call of it is a MATCH),
 * on PostgreSQL a SQL function the planner inlines over a GIN index of the names' words (a
 * generated column `users.name_words`, which Tessera's code never reads).
 * Both split names at anything but letters and digits, ignore case, and drop the accents
 * Unicode writes as a mark on a Latin letter (é, ö, å, ř, ñ); letters that are their own
 * (ø, ł, ß, æ) and marks on other scripts (й) stay, as SQLite's unicode61 tokenizer keeps them.
 * An e-mail index serves the users search's other exact criterion at the same speed.
 */
export async function nameSearch(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === "sqlite") await sqliteNameSearch(db);
  else await postgresNameSearch(db);
  await createIndexes(db, "users", { users_email: ["email"] });
}

/**
 * An external-content FTS5 table over `users`, kept in step by triggers (SQLite's documented
 * pattern). It is keyed by the users table's rowid, which only a VACUUM could renumber —
 * Tessera runs none; after one, `insert into user_name_search(user_name_search)
 * values ('rebuild')` reads the names again.
 */
async function sqliteNameSearch(db: Kysely<unknown>): Promise<void> {
  await sql`
    create virtual table user_name_search using fts5(
      id unindexed, first_name, last_name, name_on_card,
      content = 'users', content_rowid = 'rowid',
      tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
  await sql`
    create trigger user_name_search_insert after insert on users begin
      insert into user_name_search (rowid, id, first_name, last_name, name_on_card)
      values (new.rowid, new.id, new.first_name, new.last_name, new.name_on_card);
    end`.execute(db);
  await sql`
    create trigger user_name_search_delete after delete on users begin
      insert into user_name_search (user_name_search, rowid, id, first_name, last_name, name_on_card)
      values ('delete', old.rowid, old.id, old.first_name, old.last_name, old.name_on_card);
    end`.execute(db);
  // Only a change of a name touches the index: a photo or an address does not.
  await sql`
    create trigger user_name_search_update after update of first_name, last_name, name_on_card on users begin
      insert into user_name_search (user_name_search, rowid, id, first_name, last_name, name_on_card)
      values ('delete', old.rowid, old.id, old.first_name, old.last_name, old.name_on_card);
      insert into user_name_search (rowid, id, first_name, last_name, name_on_card)
      values (new.rowid, new.id, new.first_name, new.last_name, new.name_on_card);
    end`.execute(db);
  await sql`insert into user_name_search (user_name_search) values ('rebuild')`.execute(db);
}

/**
 * Full text with the 'simple' configuration (no stemming, no stop words: names are not prose)
 * in a generated column, so that no trigger is needed: PostgreSQL keeps the words in step with
 * the names itself. No extension is needed either (pg_trgm would find substrings, not word starts).
 */
async function postgresNameSearch(db: Kysely<unknown>): Promise<void> {
  // The words of a name, as SQLite's tokenizer makes them: punctuation (ASCII, Latin-1's and
  // General Punctuation's: hyphens, apostrophes, dashes) parts words, so "Maria-Magdalena" and
  // "Anna.Maria" are two words each (PostgreSQL's parser would keep them whole), and marks on
  // Latin letters go. Immutable (only immutable functions inside), so it can be indexed.
  // String.raw: PostgreSQL's regular expressions read the \u escapes and the \1 back-reference.
  await sql
    .raw(String.raw`
    create function user_name_words(first_name text, last_name text, name_on_card text)
    returns tsvector language sql immutable parallel safe as $$
      select to_tsvector('simple', normalize(regexp_replace(regexp_replace(
        normalize(first_name || ' ' || last_name || ' ' || coalesce(name_on_card, ''), NFD),
        '([A-Za-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+', '\1', 'g'),
        '[\u0021-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007e[:space:]\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f]+',
        ' ', 'g'), NFC))
    $$`)
    .execute(db);
  // Stored, not only indexed: a bitmap scan rechecks each row it reads, and recomputing the
  // words (two regular expressions, two normalizations) cost 25–45 µs a row at a million users.
  await sql`
    alter table users add column name_words tsvector
    generated always as (user_name_words(first_name, last_name, name_on_card)) stored`.execute(db);
  await sql`create index users_name_words on users using gin (name_words)`.execute(db);
  // FTS5's query syntax turned into a tsquery: the terms are letters and digits only
  // (store/name-search.ts), so '"maria"* "magd"*' becomes 'maria:* & magd:*'. Stable and in
  // SQL, so the planner inlines it and reaches the index above.
  await sql`
    create function user_name_search(query text)
    returns table (id text) language sql stable parallel safe as $$
      select u.id from users u
       where u.name_words @@ to_tsquery('simple', replace(replace(replace(query, '"', ''), '*', ':*'), ' ', ' & '))
    $$`.execute(db);
}
