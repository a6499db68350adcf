import { type CardState, canTransition } from "../domain/card-states.js";
import type { Db } from "./database.js";

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
}

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
  const from: readonly CardState[] =
    typeof transition.from === "string" ? [transition.from] : transition.from;
  for (const state of from)
    if (!canTransition(state, transition.to))
      throw new Error(
        `A card cannot go from ${state} to ${transition.to}: the state model does not allow it.`,
      );
  if (transition.ids.length === 0 || from.length === 0) return 0;
  const c = transition.changes ?? {};
  let query = db
    .updateTable("cards")
    .set((eb) => ({
      state: transition.to,
      ...(c.decidedBy !== undefined && { decided_by: c.decidedBy }),
      ...(c.decidedAt !== undefined && { decided_at: c.decidedAt }),
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.batchId !== undefined && { batch_id: c.batchId }),
      ...(c.lastBatchId !== undefined && { last_batch_id: c.lastBatchId }),
      ...(c.issuedAt !== undefined && { issued_at: c.issuedAt }),
      ...(c.expiresAt !== undefined && { expires_at: c.expiresAt }),
      ...(c.pukEncrypted !== undefined && { puk_encrypted: c.pukEncrypted }),
      version: eb("version", "+", 1),
      updated_at: transition.at,
    }))
    .where("id", "in", [...transition.ids])
    .where("state", "in", [...from]);
  if (transition.version !== undefined) query = query.where("version", "=", transition.version);
  if (transition.heldBy !== undefined) query = query.where("batch_id", "=", transition.heldBy);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
