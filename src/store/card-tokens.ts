import { type RawBuilder, sql } from "kysely";
import { type Db, isPostgres } from "./database.js";
import { slices } from "./slices.js";

/** The software tokens production made: handed out a limited number of times, while the card is unchanged. */

/**
 * Stores the software tokens a batch made, each with the card's version as production left it:
 * called in the transaction that recorded the cards, right after their state changed.
 */
export async function insertCardTokens(
  db: Db,
  batchId: string,
  tokens: readonly { cardId: string; token: Buffer }[],
  at: string,
) {
  // The cards' versions by one join, not by a subquery per token, which PostgreSQL planned one
  // by one (4 ms a chunk of 50); a left join, so a token of no card is refused by the foreign
  // key, as before. Each token is cast where it is bound: in a VALUES list PostgreSQL would
  // otherwise take it for text (SQLite's cast to blob changes nothing).
  const bytes = sql.raw(isPostgres(db) ? "bytea" : "blob");
  for (const slice of slices(tokens, 200)) {
    const values: RawBuilder<unknown>[] = [];
    for (const t of slice) values.push(sql`(${t.cardId}, cast(${t.token} as ${bytes}))`);
    await sql`insert into card_tokens (card_id, token, card_version, batch_id, created_at)
                select t.column1, t.column2, cards.version, ${batchId}, ${at}
                  from (values ${sql.join(values)}) as t left join cards on cards.id = t.column1`.execute(db);
  }
}

export interface CardTokenState {
  downloads: number;
  /** The card's version as production left it (null: made before migration 008). */
  cardVersion: number | null;
  /** The batch that made the token. */
  batchId: string | null;
}

/** What is known of a card's software token, without its bytes; undefined when it has none. */
export async function findCardTokenState(db: Db, cardId: string): Promise<CardTokenState | undefined> {
  const row = await db
    .selectFrom("card_tokens")
    .select(["downloads", "card_version", "batch_id"])
    .where("card_id", "=", cardId)
    .executeTakeFirst();
  return (
    row && {
      downloads: Number(row.downloads),
      cardVersion: row.card_version === null ? null : Number(row.card_version),
      batchId: row.batch_id,
    }
  );
}

/**
 * Counts one download of a card's software token, unless `limit` downloads were made already:
 * the guard is in the update itself, so two downloads at once cannot both take the last one.
 * Returns the token and its download count now, `limit` when it was reached, or undefined
 * when the card has no token.
 */
export async function takeCardTokenDownload(
  db: Db,
  cardId: string,
  limit: number,
): Promise<{ token: Buffer; downloads: number } | "limit" | undefined> {
  const row = await db
    .updateTable("card_tokens")
    .set((eb) => ({ downloads: eb("downloads", "+", 1) }))
    .where("card_id", "=", cardId)
    .where("downloads", "<", limit)
    .returning(["token", "downloads"])
    .executeTakeFirst();
  if (row) return { token: Buffer.from(row.token), downloads: Number(row.downloads) };
  const exists = await db
    .selectFrom("card_tokens")
    .select("card_id")
    .where("card_id", "=", cardId)
    .executeTakeFirst();
  return exists ? "limit" : undefined;
}
