/**
 * The card state model of ARCHITECTURE.md:
 * requested → approved | rejected | aborted; approved → issued | active | failed | aborted;
 * failed → approved (repeat production); issued → active; active ⇄ inactive;
 * active | inactive → locked (final); any issued state → expired.
 * For a leaver (UsersProcDeactivate) also issued → locked: a card produced for
 * someone who leaves before it is handed over is locked with them (Lock card itself still starts
 * from active or inactive); and failed → aborted: a failed card is no longer repeated for them.
 */
export const cardStates = [
  "requested",
  "approved",
  "rejected",
  "aborted",
  "failed",
  "issued",
  "active",
  "inactive",
  "locked",
  "expired",
] as const;
export type CardState = (typeof cardStates)[number];

/** The states Issue multiple cards may leave its cards in. */
export const cardEndStates = ["issued", "active"] as const satisfies readonly CardState[];

const transitions: Record<CardState, readonly CardState[]> = {
  requested: ["approved", "rejected", "aborted"],
  approved: ["issued", "active", "failed", "aborted"],
  rejected: [],
  aborted: [],
  failed: ["approved", "aborted"],
  issued: ["active", "locked", "expired"],
  active: ["inactive", "locked", "expired"],
  inactive: ["active", "locked", "expired"],
  locked: [],
  expired: [],
};

export function canTransition(from: CardState, to: CardState): boolean {
  return transitions[from].includes(to);
}

export function isFinalCardState(state: CardState): boolean {
  return transitions[state].length === 0;
}

/**
 * States in which a card counts against the "several active cards per user" option: it is
 * in use or on its way to being so. Rejected, aborted, locked and expired cards do not count.
 */
export const liveCardStates: readonly CardState[] = [
  "requested",
  "approved",
  "failed",
  "issued",
  "active",
  "inactive",
];

/**
 * The states a renewed card is locked from (reason superseded) when its successor becomes
 * active: every produced card still in use.
 */
export const supersededStates: readonly CardState[] = ["issued", "active", "inactive"];

/**
 * What Deactivate user (a leaver) does to each of the holder's cards, as the server does it and
 * the UI announces it: the cards not produced have their requests aborted, a failed card too, so
 * that Repeat production cannot make it for someone who has left; the cards out of production
 * that may still be used or handed over are locked.
 */
export const abortedWhenHolderLeaves: readonly CardState[] = ["requested", "approved", "failed"];
export const lockedWhenHolderLeaves: readonly CardState[] = ["issued", "active", "inactive"];
