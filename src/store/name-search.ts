import { type RawBuilder, sql } from "kysely";
import { TesseraError } from "../domain/errors.js";

/**
 * Finding a holder by name (issue 13): each word of the query must be the start of some word of
 * the first name, last name or name on card, in any order and any case, accents on Latin letters
 * ignored — "magd" and "svens anna" both find "Anna Maria-Magdalena Svensson". Migration 018
 * keeps the index on both databases; this module turns what an operator typed into its query.
 */

// Marks that Unicode puts on a Latin letter (é = e + U+0301), in the blocks migration 018 drops.
const latinMarks = /([A-Za-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;

/**
 * The words of a name query, as the index holds a name's words: lower case, marks on Latin
 * letters gone, split at anything that is not a letter, digit or mark. So `%`, `_`, `'`, `"`,
 * `*`, `^`, `-` and `:` only part words and are never syntax, and "O'Brien" is the words "o"
 * and "brien", as the index has it.
 */
export function nameQueryWords(query: string): string[] {
  const words = query
    .normalize("NFD")
    .replace(latinMarks, "$1")
    .normalize("NFC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((word) => word !== "");
  // Each word is one more prefix term, scanned twice a search (the page and its total): a word
  // said again adds nothing, and a name has few words.
  const distinct = [...new Set(words)];
  if (distinct.length > maxNameWords)
    throw new TesseraError(
      "request.invalid",
      `q: a name search takes at most ${maxNameWords} words; this one has ${distinct.length}.`,
      { field: "q" },
    );
  return distinct;
}

/** The most different words a name search takes. */
export const maxNameWords = 6;

/**
 * The argument of `user_name_search` for these words: FTS5's syntax of quoted prefix terms, which
 * migration 018's PostgreSQL function reads too. Each word is quoted, so an operator's "NEAR",
 * "OR" or "AND" is a name, not an operator (the words hold no quote). `words` must not be empty.
 */
export function nameMatch(words: readonly string[]): string {
  if (words.length === 0) throw new RangeError("a name search needs at least one word");
  return words.map((word) => `"${word}"*`).join(" ");
}

/**
 * The ids of the users whose names hold every one of `words` as the start of a word, as a
 * subquery: `user_name_search` is an FTS5 table on SQLite (called as a table-valued function, a
 * MATCH) and an inlined SQL function over a GIN index on PostgreSQL.
 */
export function usersNamed(words: readonly string[]): RawBuilder<string> {
  return sql<string>`(select id from user_name_search(${nameMatch(words)}))`;
}
