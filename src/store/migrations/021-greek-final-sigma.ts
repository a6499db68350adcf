import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Greek names found by their words on PostgreSQL whichever way a final sigma is written. Greek
 * writes σ as ς at the end of a word, and a name in capitals has Σ: PostgreSQL's lower case of
 * "ΠΑΠΑΔΟΠΟΥΛΟΣ" ends in σ, where "Παπαδοπουλος" keeps its ς and an operator's typed query
 * (lower-cased by JavaScript, which knows the final form) ends in ς. So a holder registered in
 * capitals, as ID documents print Greek names, was found by no spelling of the full last name.
 * The words now hold σ for ς (as SQLite's FTS5 folds them), and so do the queries
 * (store/name-search.ts). The words of names with a ς are made again.
 */
export async function greekFinalSigma(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  // 018's function, with ς turned into σ once the words are lower case. String.raw: PostgreSQL's
  // regular expressions read the \u escapes and the \1 back-reference.
  await sql
    .raw(String.raw`
    create or replace function user_name_words(first_name text, last_name text, name_on_card text)
    returns tsvector language sql immutable parallel safe as $$
      select to_tsvector('simple', translate(lower(normalize(regexp_replace(regexp_replace(
        normalize(first_name || ' ' || last_name || ' ' || coalesce(name_on_card, ''), NFD),
        '([A-Za-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+', '\1', 'g'),
        '[\u0021-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u007e[:space:]\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f]+',
        ' ', 'g'), NFC)), 'ς', 'σ'))
    $$`)
    .execute(db);
  // The trigger of migration 020 makes a user's words again when a name is written.
  await sql`
    update users set first_name = first_name
     where first_name || ' ' || last_name || ' ' || coalesce(name_on_card, '') like '%ς%'`.execute(db);
}
