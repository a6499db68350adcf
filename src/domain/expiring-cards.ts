import type { CardState } from "./card-states.js";

/**
 * Expiring cards (issue 12): a card in use whose end (`expiresAt`, its certificates' notAfter)
 * comes before a given instant. A locked or expired card is finished; an inactive one was taken
 * out of use by the helpdesk and is no one's renewal to plan; a card not yet produced has no end.
 */
export const expiringCardStates = ["issued", "active"] as const satisfies readonly CardState[];

/** The windows the dashboard counts expiring cards in, in days from now. */
export const expiryWindowDays = [30, 60, 90] as const;

const day = 24 * 60 * 60 * 1000;

/**
 * The end of each window from `now`, as a date: a card expires within N days when it ends
 * before the (UTC) day after today + N, so a window holds whole days and is the same list as
 * the Cards page's "Expires before" (a date) shows. Each window holds the shorter ones, and a
 * card whose end has passed but that the expiry pass has not yet moved to `expired` is in all.
 */
export function expiryWindowsFrom(now: Date): { days: number; expiresBefore: string }[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return expiryWindowDays.map((days) => ({
    days,
    expiresBefore: new Date(today + (days + 1) * day).toISOString().slice(0, 10),
  }));
}
