import { type RawBuilder, type SqlBool, sql } from "kysely";
import { TesseraError } from "../domain/errors.js";
import { type Db, isPostgres } from "./database.js";

/**
 * Finding a holder by name (issue 13): each word of the query must be the start of some word of
 * the first name, last name or name on card, in any order and any case, accents on Latin letters
 * ignored — "magd" and "svens anna" both find "Anna Maria-Magdalena Svensson". Migrations 018
 * and 019 keep the index on both databases; this module turns what an operator typed into its
 * query.
 */

// Marks that Unicode puts on a Latin letter (é = e + U+0301), in the blocks migration 018 drops.
const latinMarks = /([A-Za-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;

/**
 * What parts the words of a name: anything that is not a letter, digit or mark, and the signs
 * PostgreSQL's words part names at (migration 018) though Unicode counts some of them as letters
 * or digits: ª º µ ¹ ² ³ ¼ ½ ¾ of Latin-1, which "Mª José" is written with. A query word holding
 * one was no word of PostgreSQL's, and found nothing there.
 */
const wordBreaks = /(?:[^\p{L}\p{N}\p{M}]|[\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f])+/u;

/**
 * The words of a name query, as the index holds a name's words: lower case, marks on Latin
 * letters gone, split at anything that is not a letter, digit or mark (`wordBreaks`). So `%`,
 * `_`, `'`, `"`, `*`, `^`, `-` and `:` only part words and are never syntax, and "O'Brien" is
 * the words "o" and "brien", as the index has it.
 */
export function nameQueryWords(query: string): string[] {
  const words = query
    .normalize("NFD")
    .replace(latinMarks, "$1")
    .normalize("NFC")
    .toLowerCase()
    // The words PostgreSQL keeps hold σ for a final ς (migration 021; SQLite's FTS5 folds them).
    .replaceAll("ς", "σ")
    .split(wordBreaks)
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

/** The longest word start SQLite's FTS5 table keeps a list of its own for (migration 020's `prefix`). */
const prefixIndexLength = 3;

/** The most different words a name search takes. */
export const maxNameWords = 6;

/**
 * The argument of SQLite's `user_name_search` for these words: FTS5's syntax of quoted prefix
 * terms. Each word is quoted, so an operator's "NEAR", "OR" or "AND" is a name, not an operator
 * (the words hold no quote). `words` must not be empty.
 */
export function nameMatch(words: readonly string[]): string {
  if (words.length === 0) throw new RangeError("a name search needs at least one word");
  const terms = words.map((word) => {
    const composed = composeExcluded(word);
    return composed === word ? `"${word}"*` : `("${word}"* OR "${composed}"*)`;
  });
  // Explicit: FTS5 takes no implicit AND before a parenthesis.
  return terms.join(" AND ");
}

/**
 * The letters Unicode leaves decomposed in NFC (its composition exclusions, such as Bengali য়
 * U+09DF and Devanagari क़ U+0958), by their decomposed form. A query word is in NFC, so such a
 * letter in it is two code points; SQLite's FTS5 reads the names as written, where the letter
 * may be one. PostgreSQL's words are in NFC as well.
 */
let excludedCompositions: ReadonlyMap<string, string> | undefined;

/**
 * {@link excludedCompositions}, found on first use (SQLite's name search): reading every letter of
 * the BMP takes 20 ms, which no process's start should pay.
 */
function findExcludedCompositions(): ReadonlyMap<string, string> {
  const letters = new Map<string, string>();
  for (let code = 0xa0; code <= 0xffff; code++) {
    const letter = String.fromCharCode(code);
    if (!/\p{L}/u.test(letter)) continue;
    const decomposed = letter.normalize("NFD");
    // Two code points or more: a singleton (K for the Kelvin sign, ι for U+1FBE) is the same letter.
    if ([...decomposed].length > 1 && decomposed.normalize("NFC") === decomposed)
      letters.set(decomposed, letter);
  }
  return letters;
}

/** `word` with each letter Unicode will not compose (see {@link excludedCompositions}) as one code point. */
function composeExcluded(word: string): string {
  let composed = word;
  excludedCompositions ??= findExcludedCompositions();
  for (const [decomposed, letter] of excludedCompositions)
    if (composed.includes(decomposed)) composed = composed.replaceAll(decomposed, letter);
  return composed;
}

/**
 * The most matches a name search counts. A word start that many holders share ("an") matches
 * a large part of a million, and counting them all cost more than the page: past this many,
 * the total says "more than" (`totalIsLowerBound`) and the count stops.
 */
export const countedNameMatches = 1000;

/**
 * How a list is asked for the holders whose names match. "fromNames": from the names' index to
 * the list, then sorted (few matches). "inOrder": the list read in its order, each row's holder
 * looked up in the matches, until a page is full (many matches: a page is found early, where
 * sorting every match would read them all). The caller tells which from the count or
 * {@link nameMatchesUpTo}: FTS5 gives SQLite's planner no statistics, and PostgreSQL's cannot
 * know that users follow a word start of their last name in their order. "hashed" (PostgreSQL,
 * one word with no more than {@link fewNameMatches} matches; otherwise as "inOrder"): the list
 * read in its order, each row's holder looked up in the matches read once into a hash.
 */
export type NameScan = "fromNames" | "inOrder" | "hashed";

/**
 * A condition on a list of users or cards: the user in `column` has every one of `words`
 * (non-empty) as the start of a word of their names. On PostgreSQL a semi-join per word on the
 * b-trees of migration 019's `name_search_words` (`like 'an%'` on its "C" collation is a range
 * of the index); on SQLite a match of migration 018's FTS5 table, asked as `scan` says.
 */
export function holderNamed(
  db: Db,
  column: "users.id" | "cards.user_id",
  words: readonly string[],
  scan: NameScan,
): RawBuilder<SqlBool> {
  const id = sql.ref(column);
  // Few matches (the caller knows from the count or the words' entries): from the words, each
  // match one probe of the list's index by holder. PostgreSQL would otherwise often read the
  // list in its order and check each row: the users follow a word start of the last name in
  // theirs ("last first"), so half a million were checked for "svensson"; and it counted a
  // word start's cards by reading every card until it had a thousand.
  if (isPostgres(db) && scan === "fromNames")
    return sql<SqlBool>`${id} = any(array(${sql.join(
      words.map((word) => sql`select user_id from name_search_words where word like ${`${word}%`}`),
      sql` intersect `,
    )}))`;
  // "is true" keeps the planner from joining the list to the names, which probed the names'
  // index once for each row read (a page of approved cards for "bench51" read 4,500 cards and
  // took 50–80 ms): as a condition of its own, the matches are hashed once (3 ms for 11,000)
  // and each row checked in the hash. Only for a start known to have few matches: past the
  // memory PostgreSQL gives a hash, the condition would be run again for each row.
  if (isPostgres(db) && scan === "hashed" && words.length === 1)
    return sql<SqlBool>`(${id} in (select user_id from name_search_words where word like ${`${words[0]}%`})) is true`;
  if (isPostgres(db))
    return sql<SqlBool>`(${sql.join(
      words.map(
        (word) => sql`${id} in (select user_id from name_search_words where word like ${`${word}%`})`,
      ),
      sql` and `,
    )})`;
  const match = nameMatch(words);
  // Cards: the rowids of the named holders' cards, read once from the names' index and the
  // cards' index by holder, and the list read in its order against them. SQLite would
  // otherwise read the list in order and look each card's holder up in the names (slow when
  // few match) or sort every match (slow when many do). `+n.id`: an equality on an FTS5 column
  // would be handed to FTS5 as a match of that column, and an id is no word of a name.
  if (column === "cards.user_id" && scan === "fromNames")
    return sql<SqlBool>`cards.rowid in (select c.rowid from user_name_search(${match}) n join cards c on c.user_id = +n.id)`;
  // Users: the matches' rowids are the users' own, each one seek of the table (reading the FTS5
  // table's id column would read each user once more, and find it again by id: 75 ms for 10,000).
  if (scan === "fromNames")
    return sql<SqlBool>`users.rowid in (select rowid from user_name_search(${match}))`;
  // The list read in its order, each row's holder checked against the matches. The unary +
  // keeps SQLite from starting at the matches, which would leave every match to be sorted.
  const rowid =
    column === "users.id" ? sql`+users.rowid` : sql`(select u.rowid from users u where u.id = cards.user_id)`;
  // Starts the prefix index holds (migration 020) are one list each: a holder is checked by a
  // seek in each, where reading the set of matches whole would read a million for "b".
  if (words.every((word) => [...word].length <= prefixIndexLength))
    return sql<SqlBool>`exists (select 1 from user_name_search(${match}) s where s.rowid = ${rowid})`;
  // Longer starts merge the lists of every word so starting at each check: the set of matches
  // is read once from the FTS5 index alone (its rowids are the users').
  return sql<SqlBool>`${rowid} in (select rowid from user_name_search(${match}))`;
}

/**
 * The most matches of a name search that are read from the names' index and sorted, where more
 * are found sooner by reading the list in its order: sorting costs about a millisecond a
 * thousand. Users are listed by "last first", which a word start of the last name follows, so
 * read in their order the users before the first match were each checked (four in ten of a
 * million for "bench49"); cards follow no name, so a common start fills their page early.
 */
export const fewNameMatches = 20_000;

/**
 * How many matches of `words` the names' index holds, counted no further than `cap` + 1 (more
 * than `cap` says "many"): on PostgreSQL the word entries of the longest word (likely the
 * rarest), on SQLite the users FTS5 matches.
 */
export async function nameMatchesUpTo(db: Db, words: readonly string[], cap: number): Promise<number> {
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const matches = isPostgres(db)
    ? sql`select 1 from name_search_words where word like ${`${longest}%`} limit ${cap + 1}`
    : sql`select rowid from user_name_search(${nameMatch(words)}) limit ${cap + 1}`;
  const { rows } = await sql<{ n: number }>`select count(*) as n from (${matches}) as entries`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * A condition on the users list (PostgreSQL): the user is one of the `limit` users that `words`
 * name first in the list's order by name ("last first", then id), past `after` — the page's
 * candidates, sorted from migration 020's index of words with their sort names, so that only
 * a page's users are read. The longest word is the one whose entries are read; the others are
 * checked per entry. The caller pages the users by the same order, cursor and limit.
 */
export function usersInNameOrder(
  words: readonly string[],
  direction: "asc" | "desc",
  after: readonly [string, string] | undefined,
  limit: number,
): RawBuilder<SqlBool> {
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const others = words.filter((word) => word !== longest);
  const alsoNamed = others.map(
    (word) =>
      sql`and exists (select 1 from name_search_words o where o.user_id = w.user_id and o.word like ${`${word}%`})`,
  );
  const dir = sql.raw(direction);
  const beyond = after
    ? sql`where (named_order, named_id) ${sql.raw(direction === "asc" ? ">" : "<")} (${after[0]}, ${after[1]})`
    : sql``;
  // distinct: one user has several words a start can name ("an": Anna Andersson).
  return sql<SqlBool>`users.id in (
    select named_id from (
      select distinct w.user_id as named_id, w.search_name as named_order
        from name_search_words w
       where w.word like ${`${longest}%`} ${sql.join(alsoNamed, sql` `)}) as named
     ${beyond}
     order by named_order ${dir}, named_id ${dir}
     limit ${limit})`;
}
