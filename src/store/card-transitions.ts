import { sql } from "kysely";
import { type CardState, canTransition } from "../domain/card-states.js";
import type { Db } from "./database.js";
import { type RowColumn, updateRows } from "./update-rows.js";

/** Columns a state change may set along with the state. */
export interface CardTransitionChanges {
  decidedBy?: string | null;
  decidedAt?: string | null;
  reason?: string | null;
  batchId?: string | null;
  lastBatchId?: string | null;
  issuedAt?: string | null;
  expiresAt?: string | null;
  pukEncrypted?: string | null;
  tokenSerial?: string | null;
}

/** The column each change sets. */
const changeColumns = {
  decidedBy: "decided_by",
  decidedAt: "decided_at",
  reason: "reason",
  batchId: "batch_id",
  lastBatchId: "last_batch_id",
  issuedAt: "issued_at",
  expiresAt: "expires_at",
  pukEncrypted: "puk_encrypted",
  tokenSerial: "token_serial",
} as const satisfies Record<keyof CardTransitionChanges, string>;

export interface CardTransition {
  /** The cards to change; a card not in one of `from` (or not at `version`) is left alone. */
  readonly ids: readonly string[];
  readonly from: CardState | readonly CardState[];
  readonly to: CardState;
  readonly at: string;
  readonly changes?: CardTransitionChanges;
  /** Optimistic concurrency for one card: change it only if it is still at this version. */
  readonly version?: number;
  /** Change only cards the running batch `batchId` holds. */
  readonly heldBy?: string;
}

/**
 * The one way a card changes state, for processes and the batch runner alike: every change is
 * checked against the domain's transition table before it is written, and applied only to cards
 * still in a state it may leave (a card moved by someone else meanwhile is not changed).
 * Returns how many cards changed.
 */
export async function transitionCards(db: Db, transition: CardTransition): Promise<number> {
  const query = transitionQuery(db, transition);
  if (!query) return 0;
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}

/** {@link transitionCards}, answering which cards changed rather than how many. */
export async function transitionCardsListingChanged(db: Db, transition: CardTransition): Promise<string[]> {
  const query = transitionQuery(db, transition);
  if (!query) return [];
  return (await query.returning("id").execute()).map((row) => row.id);
}

function transitionQuery(db: Db, transition: CardTransition) {
  const from: readonly CardState[] =
    typeof transition.from === "string" ? [transition.from] : transition.from;
  for (const state of from)
    if (!canTransition(state, transition.to))
      throw new Error(
        `A card cannot go from ${state} to ${transition.to}: the state model does not allow it.`,
      );
  if (transition.ids.length === 0 || from.length === 0) return undefined;
  const columns = Object.fromEntries(
    Object.entries(transition.changes ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [changeColumns[key as keyof CardTransitionChanges], value]),
  );
  let query = db
    .updateTable("cards")
    .set((eb) => ({
      ...columns,
      state: transition.to,
      version: eb("version", "+", 1),
      updated_at: transition.at,
    }))
    .where("id", "in", [...transition.ids])
    .where("state", "in", [...from]);
  if (transition.version !== undefined) query = query.where("version", "=", transition.version);
  // Not "=": the cards are found by their ids, whatever the statistics believe of a new batch
  // (see update-rows.ts).
  if (transition.heldBy !== undefined)
    query = query.where("batch_id", "is not distinct from", transition.heldBy);
  return query;
}

// The columns of {@link transitionEachCard}, made once, not per call: see `production/produce-chunk.ts`.
const cardIdOf = (card: CardChange) => card.id;
const stateColumn: RowColumn<CardChange> = { column: "state", type: "text", value: (card) => card.to };
const changeColumnOf = Object.fromEntries(
  Object.entries(changeColumns).map(([key, column]) => [
    key,
    {
      column,
      type: "text",
      value: (card) => card.changes[key as keyof CardTransitionChanges] ?? null,
    } satisfies RowColumn<CardChange>,
  ]),
) as Record<keyof CardTransitionChanges, RowColumn<CardChange>>;

/** One card's own change in {@link transitionEachCard}. */
export interface CardChange {
  readonly id: string;
  readonly to: CardState;
  readonly changes: CardTransitionChanges;
}

/**
 * {@link transitionCards} for many cards that each change in their own way (a chunk's cards:
 * some to their end state with their own expiry and PUK, some to failed with their own
 * reason), in one statement per shape of change rather than one per card. Each change is checked
 * against the transition table first; a card no longer in `from` (or not held by `heldBy`) is
 * left alone. Returns how many cards changed.
 */
export async function transitionEachCard(
  db: Db,
  transition: {
    readonly from: CardState;
    readonly at: string;
    readonly heldBy?: string;
    readonly cards: readonly CardChange[];
  },
): Promise<number> {
  for (const card of transition.cards)
    if (!canTransition(transition.from, card.to))
      throw new Error(
        `A card cannot go from ${transition.from} to ${card.to}: the state model does not allow it.`,
      );
  // Cards whose changes set the same columns share one statement; a column a card's change
  // leaves out keeps its value.
  const shapes = new Map<string, CardChange[]>();
  for (const card of transition.cards) {
    const set: string[] = [];
    for (const key in card.changes)
      if (card.changes[key as keyof CardTransitionChanges] !== undefined) set.push(key);
    const shape = set.sort().join(",");
    const same = shapes.get(shape);
    if (same) same.push(card);
    else shapes.set(shape, [card]);
  }
  let changed = 0;
  for (const [shape, cards] of shapes) {
    const keys = (shape === "" ? [] : shape.split(",")) as (keyof CardTransitionChanges)[];
    const columns: RowColumn<CardChange>[] = [stateColumn];
    for (const key of keys) columns.push(changeColumnOf[key]);
    changed += await updateRows(db, {
      table: "cards",
      keyColumn: "id",
      key: cardIdOf,
      columns,
      alike: [sql`version = cards.version + 1`, sql`updated_at = ${transition.at}`],
      match: [
        { column: "state", value: transition.from },
        ...(transition.heldBy !== undefined ? [{ column: "batch_id", value: transition.heldBy }] : []),
      ],
      rows: cards,
    });
  }
  return changed;
}
