import type { Card } from "../domain/card.js";
import type { CardState } from "../domain/card-states.js";
import { TesseraError } from "../domain/errors.js";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import { type CardTransitionChanges, transitionCards } from "../store/card-transitions.js";
import { type CardDetailChanges, findCardById, updateCardDetails } from "../store/cards.js";
import type { Db } from "../store/database.js";
import { type Actor, nowIso, type Services } from "./services.js";

/** One run of a process on cards: who runs which process, with what, in which transaction. */
export interface ProcessRun {
  readonly services: Services;
  readonly trx: Db;
  readonly actor: Actor;
  readonly process: ProcessDefinition;
}

/** A change of one card: to another state (checked against the state model), or of its details alone. */
export type CardChange =
  | ({ to: CardState } & CardTransitionChanges)
  | ({ to?: undefined } & CardDetailChanges);

/** The steps every single-card process shares: find the card, check its state, change it, audit it. */
export async function loadCardFor(
  trx: Db,
  process: ProcessDefinition,
  cardId: string,
  version: number | undefined,
): Promise<Card> {
  const card = await findCardById(trx, cardId);
  if (!card) throw new TesseraError("card.not_found", `There is no card with id ${cardId}.`, { cardId });
  if (version !== undefined && version !== card.version)
    throw new TesseraError("card.stale", undefined, { cardId, version: card.version });
  if (!process.requiredCardStates.includes(card.state))
    throw new TesseraError(
      "card.state_not_allowed",
      `${process.name} needs a card that is ${process.requiredCardStates.join(" or ")}; card ${card.cardNumber} is ${card.state}.`,
      { cardId, state: card.state, requiredStates: process.requiredCardStates },
    );
  return card;
}

/**
 * Changes one card as it was loaded (at its version: someone else's change in between makes
 * this one `card.stale`) and records it. A change of state goes through `transitionCards`, so
 * a process can never move a card where the state model does not allow.
 */
export async function changeCard(
  run: ProcessRun,
  card: Card,
  change: CardChange,
  details: Record<string, unknown> = {},
): Promise<Card> {
  const { services, trx } = run;
  const at = nowIso(services);
  const { to, ...changes } = change;
  const changed =
    to === undefined
      ? await updateCardDetails(trx, card.id, card.version, changes, at)
      : (await transitionCards(trx, {
          ids: [card.id],
          from: card.state,
          to,
          at,
          changes,
          version: card.version,
        })) === 1;
  if (!changed) throw new TesseraError("card.stale", undefined, { cardId: card.id });
  await appendCardHistory(run, card, { from: card.state, to: to ?? card.state, ...details }, at);
  return (await findCardById(trx, card.id))!;
}

/** Writes the card's history entry for the run's success: its card number, then `details`. */
export async function appendCardHistory(
  run: ProcessRun,
  card: Pick<Card, "id" | "cardNumber">,
  details: Record<string, unknown>,
  at: string,
): Promise<void> {
  await run.services.audit.append(
    run.trx,
    [
      {
        action: run.process.symbolicName,
        objectType: "card",
        objectId: card.id,
        outcome: "success",
        operator: run.actor,
        details: { cardNumber: card.cardNumber, ...details },
      },
    ],
    at,
  );
}
