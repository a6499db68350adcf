import { TesseraError } from "./errors.js";
import type { ProcessOptions } from "./process-options.js";

/**
 * The "several active cards per user" rule, for a single activation and for a batch alike: with
 * the option off, a card may become active only when its holder has no other active card.
 * Returns the refusal, or undefined when the card may become active.
 */
export function severalActiveCardsRefusal(
  options: Pick<ProcessOptions, "severalActiveCards">,
  card: { readonly id: string; readonly cardNumber: string },
  otherActiveCardsOfHolder: number,
): TesseraError | undefined {
  if (options.severalActiveCards || otherActiveCardsOfHolder === 0) return undefined;
  return new TesseraError(
    "card.too_many_active",
    `The holder of card ${card.cardNumber} already has an active card, and several active cards per user are not allowed.`,
    { cardId: card.id },
  );
}

/**
 * The same rule where a card is requested, so a holder never waits for a card that could not be
 * activated: with the option off, a holder may hold only one live card (requested to active). The caller
 * counts the card the new one replaces off, so the count is below zero when that card ended
 * meanwhile (a lock committed between the check and the count): no other card either. Returns the
 * refusal's code and reason, or undefined when the card may be requested.
 */
export function severalCardsRequestRefusal(
  options: Pick<ProcessOptions, "severalActiveCards">,
  holder: { readonly firstName: string; readonly lastName: string },
  otherLiveCardsOfHolder: number,
): { code: "card.too_many_active"; reason: string } | undefined {
  if (options.severalActiveCards || otherLiveCardsOfHolder <= 0) return undefined;
  return {
    code: "card.too_many_active",
    reason: `${holder.firstName} ${holder.lastName} already has a card, and several cards per user are not allowed.`,
  };
}
