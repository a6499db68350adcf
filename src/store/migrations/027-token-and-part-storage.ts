import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/**
 * How PostgreSQL keeps the two largest things a chunk writes (SQLite stores both as given):
 *
 * - A software token (a two-key PKCS#12 file, ≈ 3.1 KB of ciphertext) passed the 2 KB above
 *   which PostgreSQL shrinks a row: it tried to compress the token, in vain, then moved it to the
 *   TOAST table, a second heap and index insert a card (25 µs a token against 13 µs kept in the
 *   row). A row of `card_tokens` is now shrunk only above 8,160 bytes, what one page holds. A
 *   download (the row's counter) now writes the token's bytes again with its row; a token is
 *   downloaded once or twice, written once.
 * - The print-file and PIN-letter parts (≈ 850 KB a chunk of 250 cards) compress well, but
 *   pglz took ≈ 2 ms a part; LZ4 takes a fifth of that for about the same size. Only a server
 *   built with LZ4 (since 14, as Debian's and the project's packages are) offers it; elsewhere
 *   the parts stay with pglz. Either way parts written before keep their compression.
 */
export async function tokenAndPartStorage(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  const { rows } = await sql<{ lz4: boolean; block: number }>`
    select exists (select from pg_settings where name = 'default_toast_compression'
                    and 'lz4' = any(enumvals)) as lz4,
           current_setting('block_size')::int as block`.execute(db);
  // 8,160 is the most a row may take on PostgreSQL's 8 KB pages; a server built with other pages
  // (rare; no packaged build) keeps its default.
  if (rows[0]?.block === 8192) await sql`alter table card_tokens set (toast_tuple_target = 8160)`.execute(db);
  if (rows[0]?.lz4) await sql`alter table batch_parts alter column data set compression lz4`.execute(db);
}
