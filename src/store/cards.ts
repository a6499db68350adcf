import { sql } from "kysely";
import type { Card } from "../domain/card.js";
import type { CardState } from "../domain/card-states.js";
import { expiringCardStates } from "../domain/expiring-cards.js";
import { countRows, countRowsUpTo } from "./count-rows.js";
import type { Page } from "./cursor.js";
import { type Db, isPostgres } from "./database.js";
import { insertInSlices, selectInSlices } from "./in-slices.js";
import { orderByColumn, selectKeysetPage } from "./keyset-page.js";
import {
  countedNameMatches,
  fewNameMatches,
  holderNamed,
  type NameScan,
  nameMatch,
  nameMatchesUpTo,
  nameQueryWords,
} from "./name-search.js";
import type { PageRequest, SortRequest } from "./page-request.js";
import type { CardTable } from "./schema.js";
import { updatedAtVersion } from "./versioned-update.js";

const cardColumns = [
  "id",
  "card_number",
  "state",
  "template",
  "user_id",
  "holder_name",
  "organizational_unit",
  "batch_id",
  "last_batch_id",
  "version",
  "requested_by",
  "requested_at",
  "decided_by",
  "decided_at",
  "reason",
  "issued_at",
  "expires_at",
  "updated_at",
  "predecessor_id",
  "token_serial",
] as const;

type CardRow = Pick<CardTable, (typeof cardColumns)[number]>;

export function toCard(row: CardRow): Card {
  return {
    id: row.id,
    cardNumber: row.card_number,
    state: row.state as CardState,
    template: row.template,
    userId: row.user_id,
    holderName: row.holder_name,
    organizationalUnit: row.organizational_unit,
    batchId: row.batch_id,
    lastBatchId: row.last_batch_id,
    version: row.version,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    reason: row.reason,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    predecessorId: row.predecessor_id,
    tokenSerial: row.token_serial,
  };
}

export interface NewCard {
  id: string;
  cardNumber: string;
  userId: string;
  template: string;
  state: CardState;
  holderName: string;
  organizationalUnit: string | null;
  requestedBy: string;
  /** Set when the request is approved at once (no approval step). */
  decidedBy: string | null;
  /** The card this one renews. */
  predecessorId?: string | null;
}

export async function insertCards(db: Db, cards: NewCard[], at: string): Promise<void> {
  // 21 columns a row: stay well below SQLite's 32,766 bound variables.
  await insertInSlices(db, "cards", cards, 500, (card) => ({
    id: card.id,
    card_number: card.cardNumber,
    user_id: card.userId,
    template: card.template,
    state: card.state,
    holder_name: card.holderName,
    organizational_unit: card.organizationalUnit,
    batch_id: null,
    last_batch_id: null,
    version: 1,
    requested_by: card.requestedBy,
    requested_at: at,
    decided_by: card.decidedBy,
    decided_at: card.decidedBy ? at : null,
    reason: null,
    puk_encrypted: null,
    issued_at: null,
    expires_at: null,
    updated_at: at,
    predecessor_id: card.predecessorId ?? null,
    token_serial: null,
  }));
}

export async function findCardById(db: Db, id: string): Promise<Card | undefined> {
  const row = await db.selectFrom("cards").select(cardColumns).where("id", "=", id).executeTakeFirst();
  return row && toCard(row);
}

/** The cards with these ids, in the order of `ids` (ids of no card are left out). */
export async function findCardsByIds(db: Db, ids: readonly string[]): Promise<Card[]> {
  const rows = await selectInSlices(ids, 1000, (slice) =>
    db.selectFrom("cards").select(cardColumns).where("id", "in", slice).execute(),
  );
  const byId = new Map(rows.map((row) => [row.id, toCard(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The holders (user ids) of these cards, each once. */
export async function findHoldersOfCards(db: Db, ids: readonly string[]): Promise<string[]> {
  const rows = await selectInSlices(ids, 1000, (slice) =>
    db.selectFrom("cards").select("user_id").distinct().where("id", "in", slice).execute(),
  );
  return [...new Set(rows.map((row) => row.user_id))];
}

export async function findCardsOfUser(db: Db, userId: string): Promise<Card[]> {
  const rows = await db
    .selectFrom("cards")
    .select(cardColumns)
    .where("user_id", "=", userId)
    .orderBy("requested_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map(toCard);
}

/** How many cards each of these users holds in the given states. */
export async function countCardsOfUsers(db: Db, userIds: string[], states: readonly CardState[]) {
  const rows = await selectInSlices(userIds, 1000, (slice) =>
    db
      .selectFrom("cards")
      .select(["user_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("user_id", "in", slice)
      .where("state", "in", states)
      .groupBy("user_id")
      .execute(),
  );
  return new Map(rows.map((row) => [row.user_id, Number(row.n)]));
}

/**
 * What may change on a card without changing its state (a postponed request keeps its state and
 * records why). A change of state goes through `transitionCards` (card-transitions.ts), which
 * checks the state model; this cannot.
 */
export interface CardDetailChanges {
  reason?: string | null;
}

/**
 * Changes a card's details only if it is still at `version` (optimistic concurrency: two
 * operators acting on one card at once cannot both win). Returns whether the row changed.
 */
export async function updateCardDetails(
  db: Db,
  id: string,
  version: number,
  changes: CardDetailChanges,
  at: string,
): Promise<boolean> {
  return updatedAtVersion(
    db.updateTable("cards").set({
      ...(changes.reason !== undefined && { reason: changes.reason }),
      version: version + 1,
      updated_at: at,
    }),
    { id, version },
  );
}

/** The names of the templates these cards are made from, each once. */
export async function findTemplatesOfCards(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const rows = await selectInSlices(ids, 1000, (slice) =>
    db.selectFrom("cards").select("template").distinct().where("id", "in", slice).execute(),
  );
  return new Set(rows.map((row) => row.template));
}

export interface CardFilter {
  state?: CardState | undefined;
  template?: string | undefined;
  userId?: string | undefined;
  /** Every card the batch took (not only those it still holds). */
  batchId?: string | undefined;
  organizationalUnit?: string | undefined;
  /**
   * A card number, or words of the holder's name: each the start of a word of their first name,
   * last name or name on card (store/name-search.ts). Text with no letter or digit matches none.
   */
  q?: string | undefined;
  requestedFrom?: string | undefined;
  requestedTo?: string | undefined;
  /** Only cards held by no batch. */
  unclaimed?: boolean | undefined;
  /** Only expiring cards (domain/expiring-cards.ts) that end before this ISO instant (toISOString's form). */
  expiresBefore?: string | undefined;
}

/**
 * The words of the holder's name a filter's `q` searches for; undefined when it searches none
 * (no `q`, or a card number). Empty when `q` holds no letter or digit: it matches no card.
 */
function holderWords(filter: CardFilter): string[] | undefined {
  // A blank query is none: the box left with a space in it lists every card.
  const q = filter.q?.trim();
  if (!q) return undefined;
  // Card numbers are digits only, and names have none: one index answers each, where an OR
  // of the two would scan every card of the state on PostgreSQL.
  return /^\d+$/.test(q) ? undefined : nameQueryWords(q);
}

/**
 * The cards a filter matches, as a query to select from; "joined" leaves the holder's name out,
 * for the caller to join the names to (SQLite's count).
 */
function cardsMatching(db: Db, filter: CardFilter, scan: NameScan | "joined" = "fromNames") {
  let query = db.selectFrom("cards");
  if (filter.state) query = query.where("state", "=", filter.state);
  if (filter.template) query = query.where("template", "=", filter.template);
  if (filter.userId) query = query.where("user_id", "=", filter.userId);
  // Every card the batch took, running or finished: its items outlive the card's claim.
  if (filter.batchId) {
    const batchId = filter.batchId;
    query = query.where("cards.id", "in", (eb) =>
      eb.selectFrom("batch_items").select("card_id").where("batch_id", "=", batchId),
    );
  }
  if (filter.organizationalUnit) query = query.where("organizational_unit", "=", filter.organizationalUnit);
  if (filter.requestedFrom) query = query.where("requested_at", ">=", filter.requestedFrom);
  if (filter.requestedTo) query = query.where("requested_at", "<", filter.requestedTo);
  const words = holderWords(filter);
  if (words === undefined) {
    const cardNumber = filter.q?.trim();
    if (cardNumber) query = query.where("card_number", "=", cardNumber);
  } else if (words.length === 0) query = query.where(sql.lit(false));
  else if (scan !== "joined") query = query.where(holderNamed(db, "cards.user_id", words, scan));
  if (filter.unclaimed) query = query.where("batch_id", "is", null);
  // Compared as text: every stored end is toISOString's, as is the bound. Index cards_state_expires.
  if (filter.expiresBefore)
    query = query.where("state", "in", expiringCardStates).where("expires_at", "<", filter.expiresBefore);
  return query;
}

/**
 * The count of a filter on state and template alone, from the counters the triggers keep;
 * undefined when the filter has other criteria (those are narrow enough to count).
 */
async function countFromCounters(db: Db, filter: CardFilter): Promise<{ n: number } | undefined> {
  const { state, template, ...others } = filter;
  if (Object.values(others).some((v) => v !== undefined && v !== false)) return undefined;
  let query = db
    .selectFrom("card_counts")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("n"), eb.lit(0)).as("n"));
  if (state) query = query.where("state", "=", state);
  if (template) query = query.where("template", "=", template);
  return query.executeTakeFirstOrThrow();
}

/** Ids of the cards a filter matches, oldest request first: "select all N matching". */
export async function findCardIds(db: Db, filter: CardFilter, limit: number): Promise<string[]> {
  // Read at once, the matches of all but the commonest starts are found soonest from the names:
  // at a million on PostgreSQL each holder is a probe of about 5 µs, each card read in order
  // about 7 µs ("bench5", 110,000 holders: 430 ms from the names, 580–720 in order; "b", a
  // million: 5.2 s from the names, 2.7–3.2 in order). Holders past as many as the cards asked
  // for (Select all asks for the largest batch) are read in order.
  const fewHolders = await holderMatchesAreFew(db, filter, limit);
  const rows = await cardsMatching(db, filter, fewHolders === false ? "inOrder" : "fromNames")
    .select("id")
    .orderBy("requested_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * A page of the cards a filter matches, oldest request first, with their total. A search by
 * the holder's name counts no further than {@link countedNameMatches} (`totalIsLowerBound`)
 * unless the page asks for the exact total.
 */
export async function searchCards(
  db: Db,
  filter: CardFilter,
  page: PageRequest,
  sort?: CardSort,
): Promise<Page<Card>> {
  const order = cardOrderOf(sort);
  if (holderWords(filter) === undefined) {
    const query = cardsMatching(db, filter);
    const total = (await countFromCounters(db, filter))?.n ?? (await countRows(query));
    if (order.sort !== "card_number")
      return selectKeysetPage(query.select(cardColumns), page, total, order, toCard);
    // By number: the page's ids first, from an index alone, then their cards. Asked for whole
    // cards, PostgreSQL read the unique index of numbers backwards and filtered by state, past
    // every card of other states (113 ms for approved cards at a million; 0.4 ms this way).
    const ids = await selectKeysetPage(
      query.select(["id", "card_number"]),
      page,
      total,
      orderByColumn("cards", "card_number", order.direction),
      (row) => row.id,
    );
    return { ...ids, items: await findCardsByIds(db, ids.items) };
  }
  const named = await namedCardsToCount(db, filter);
  const { n, more } = await countRowsUpTo(db, named.query, page.exactTotal ? undefined : countedNameMatches);
  // Past the count, a page is found soonest by reading the cards in their order; against the
  // matches hashed when they are few enough to hash.
  const query = cardsMatching(db, filter, more ? (named.fewMatches ? "hashed" : "inOrder") : "fromNames");
  const found = await selectKeysetPage(query.select(cardColumns), page, n, order, toCard);
  return { ...found, totalIsLowerBound: more };
}

/**
 * The cards a filter with a holder's name matches, to be counted up to a cap. SQLite reads an
 * `in (select …)` whole before it counts the first card (every holder a word start names, a
 * million for "b"); joined to the names, it stops at the cap.
 */
async function namedCardsToCount(db: Db, filter: CardFilter) {
  const words = holderWords(filter);
  if (!words?.length) return { query: cardsMatching(db, filter), fewMatches: false };
  // PostgreSQL counts from the words when they are few, and in the cards' order when the
  // start is so common that a thousand are met at once.
  const fewMatches = await holderMatchesAreFew(db, filter);
  if (fewMatches !== undefined)
    return { query: cardsMatching(db, filter, fewMatches ? "fromNames" : "inOrder"), fewMatches };
  // `+named.id`: an equality on an FTS5 column would be handed to FTS5 as a match of that column
  // (a holder's id is no word of their names): the names are read first, each card looked up.
  const query = cardsMatching(db, filter, "joined").innerJoin(
    sql<{ id: string }>`user_name_search(${nameMatch(words)})`.as("named"),
    (join) => join.on(sql<boolean>`cards.user_id = +named.id`),
  );
  return { query, fewMatches: false };
}

/**
 * On PostgreSQL, whether the holders a filter's name search matches are no more than `few`
 * ({@link fewNameMatches} unless told); undefined on SQLite or without a name search.
 */
async function holderMatchesAreFew(
  db: Db,
  filter: CardFilter,
  few = fewNameMatches,
): Promise<boolean | undefined> {
  const words = holderWords(filter);
  if (!words?.length || !isPostgres(db)) return undefined;
  return (await nameMatchesUpTo(db, words, few)) <= few;
}

const searchOrder = orderByColumn("cards", "requested_at", "asc");

/** The fields a card search can be sorted by; by request date (oldest first) unless asked. */
export const cardSortFields = ["requestedAt", "cardNumber"] as const;
export type CardSort = SortRequest<(typeof cardSortFields)[number]>;

const cardSortColumns = { requestedAt: "requested_at", cardNumber: "card_number" } as const;

function cardOrderOf(sort: CardSort | undefined) {
  return orderByColumn("cards", cardSortColumns[sort?.by ?? "requestedAt"], sort?.direction ?? "asc");
}

/**
 * The pages of `searchCards` without their total: for reading a whole search through page by page
 * (an export), where counting again for every page would cost more than the page. How the
 * holder's name is asked is chosen once, for every page.
 */
export async function cardsPageReader(
  db: Db,
  filter: CardFilter,
): Promise<(page: PageRequest) => Promise<Omit<Page<Card>, "total">>> {
  // Each page from the names would read every match again (an export of a common start reads
  // many pages); read in order, a page reads on from its cursor.
  const scan = (await holderMatchesAreFew(db, filter)) === false ? "inOrder" : "fromNames";
  const query = cardsMatching(db, filter, scan).select(cardColumns);
  return async (page) => {
    const { items, nextCursor } = await selectKeysetPage(query, page, 0, searchOrder, toCard);
    return { items, nextCursor };
  };
}

/** How many expiring cards of one template end before each of the bounds, in their order. */
export interface ExpiringCount {
  template: string;
  counts: number[];
}

/**
 * Counts the expiring cards per template that end before each of `bounds` (ISO instants,
 * ascending), in one pass over the index cards_state_expires: only the cards before the last
 * bound are read. Templates with no such card are left out.
 */
export async function countExpiringCards(db: Db, bounds: readonly string[]): Promise<ExpiringCount[]> {
  const last = bounds.at(-1);
  if (last === undefined) return [];
  const rows = await db
    .selectFrom("cards")
    .select("template")
    .select((eb) =>
      bounds.map((bound, i) =>
        eb.fn
          .sum<number | string>(eb.case().when("expires_at", "<", bound).then(1).else(0).end())
          .as(`n${i}`),
      ),
    )
    .where("state", "in", expiringCardStates)
    .where("expires_at", "<", last)
    .groupBy("template")
    .orderBy("template")
    .execute();
  return rows.map((row) => ({
    template: row.template,
    counts: bounds.map((_, i) => Number((row as Record<string, unknown>)[`n${i}`])),
  }));
}

/** The cards that renew each of `ids` and are still live (in one of `states`), by the card they renew. */
export async function findSuccessorsOf(
  db: Db,
  ids: readonly string[],
  states: readonly CardState[],
): Promise<Map<string, Card>> {
  const rows = await selectInSlices(ids, 500, (slice) =>
    db
      .selectFrom("cards")
      .select(cardColumns)
      .where("predecessor_id", "in", slice)
      .where("state", "in", [...states])
      .execute(),
  );
  return new Map(rows.map((row) => [row.predecessor_id!, toCard(row)]));
}

/** The newest card that renews card `id`, whatever its state. */
export async function findNewestSuccessor(db: Db, id: string): Promise<Card | undefined> {
  const row = await db
    .selectFrom("cards")
    .select(cardColumns)
    .where("predecessor_id", "=", id)
    .orderBy("requested_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row && toCard(row);
}

export async function findCardByNumber(db: Db, cardNumber: string): Promise<Card | undefined> {
  const row = await db
    .selectFrom("cards")
    .select(cardColumns)
    .where("card_number", "=", cardNumber)
    .executeTakeFirst();
  return row && toCard(row);
}
