import type { Card } from "../domain/card.js";
import type { User } from "../domain/user.js";
import { type CardFilter, cardsPageReader } from "./cards.js";
import type { Db } from "./database.js";
import { findUsersByIds } from "./users.js";

/** A card with its holder as they are now (their e-mail, their unit), for a mail merge. */
export interface CardWithHolder {
  card: Card;
  holder: User | undefined;
}

/**
 * Every card a search matches, in the search's order, a page at a time: a million cards are
 * read without holding more than one page. Keyset paging, so a card changed meanwhile is met at
 * most once, and two queries a page (the cards, then their holders).
 */
export async function* readCardsWithHolders(
  db: Db,
  filter: CardFilter,
  pageSize = 500,
): AsyncGenerator<CardWithHolder[]> {
  const pageOf = await cardsPageReader(db, filter);
  let cursor: string | undefined;
  do {
    const page = await pageOf({ cursor, limit: pageSize });
    if (page.items.length === 0) return;
    const holders = await findUsersByIds(db, [...new Set(page.items.map((card) => card.userId))]);
    yield page.items.map((card) => ({ card, holder: holders.get(card.userId) }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
