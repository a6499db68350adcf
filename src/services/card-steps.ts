import { TesseraError } from "../domain/errors.js";
import type { ProcessDefinition } from "../domain/process-catalog.js";
import { type Card, type CardChanges, findCardById, updateCard } from "../store/cards.js";
import type { Db } from "../store/database.js";
import { type Actor, nowIso, type Services } from "./services.js";

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

export async function changeCard(
  services: Services,
  trx: Db,
  actor: Actor,
  process: ProcessDefinition,
  card: Card,
  changes: CardChanges,
  details: Record<string, unknown> = {},
): Promise<Card> {
  const at = nowIso(services);
  const changed = await updateCard(trx, card.id, card.version, changes, at);
  if (!changed) throw new TesseraError("card.stale", undefined, { cardId: card.id });
  await services.audit.append(
    trx,
    [
      {
        action: process.symbolicName,
        objectType: "card",
        objectId: card.id,
        outcome: "success",
        operator: actor,
        details: {
          cardNumber: card.cardNumber,
          from: card.state,
          to: changes.state ?? card.state,
          ...details,
        },
      },
    ],
    at,
  );
  const updated = await findCardById(trx, card.id);
  return updated!;
}
