import type { Card } from "../../domain/card.js";
import { formatCardNumber } from "../../domain/card-number.js";
import { liveCardStates, supersededStates } from "../../domain/card-states.js";
import type { CardTemplate } from "../../domain/card-template.js";
import { type ErrorCode, TesseraError } from "../../domain/errors.js";
import { findProcess, type ProcessDefinition } from "../../domain/process-catalog.js";
import { severalCardsRequestRefusal } from "../../domain/several-active-cards.js";
import type { User } from "../../domain/user.js";
import { type Actor, nowIso, type Services } from "../../services/services.js";
import {
  countCardsOfUsers,
  findCardById,
  findCardsByIds,
  findSuccessorsOf,
  insertCards,
  type NewCard,
} from "../../store/cards.js";
import { type Db, transact } from "../../store/database.js";
import { newRowId } from "../../store/row-ids.js";
import { reserveSequence } from "../../store/sequences.js";
import { lockAllUntilCommit } from "../../store/transaction-locks.js";
import { findUsersByIds } from "../../store/users.js";
import { defineProcess } from "../process-handler.js";
import { type CardView, toCardView } from "../schemas.js";

const definition = findProcess("CardsProcRequest");

export function findTemplate(services: Services, name: string): CardTemplate {
  const template = services.templates.get(name);
  if (!template)
    throw new TesseraError("template.not_found", `There is no card template named "${name}".`, {
      template: name,
    });
  return template;
}

/**
 * Requests a card of `template` for each user, in the caller's transaction. Users that cannot
 * have one (unknown, inactive, or already holding a card when several are not allowed) are
 * returned as errors; the others get a card, `approved` at once when there is no approval step.
 */
export async function requestCards(
  services: Services,
  trx: Db,
  actor: Actor,
  process: ProcessDefinition,
  userIds: string[],
  template: CardTemplate,
  /** A card each holder's new one replaces (Request card with `replaces`): it does not count as another card. */
  replacing?: Card,
): Promise<{ cards: CardView[]; errors: { userId: string; code: ErrorCode; reason: string }[] }> {
  // In turns with a deactivation of the same holders, which would otherwise miss this card.
  await lockAllUntilCommit(trx, services.store.dialect, "holderCards", userIds);
  const options = await services.getOptions(trx);
  const users = await findUsersByIds(trx, userIds);
  const liveCounts = await countCardsOfUsers(trx, userIds, liveCardStates);
  const errors: { userId: string; code: ErrorCode; reason: string }[] = [];
  const eligible: User[] = [];
  const seen = new Set<string>();
  for (const userId of userIds) {
    const user = users.get(userId);
    if (seen.has(userId)) {
      errors.push({ userId, code: "request.invalid", reason: "The user is named twice in this request." });
    } else if (!user) {
      errors.push({ userId, code: "user.not_found", reason: `There is no user with id ${userId}.` });
    } else if (user.state !== "active") {
      errors.push({
        userId,
        code: "user.inactive",
        reason: `${user.firstName} ${user.lastName} is not active.`,
      });
    } else {
      // The card replaced is not another card.
      const others = (liveCounts.get(userId) ?? 0) - (replacing ? 1 : 0);
      const refusal = severalCardsRequestRefusal(options, user, others);
      if (refusal) errors.push({ userId, ...refusal });
      else eligible.push(user);
    }
    seen.add(userId);
  }
  if (eligible.length === 0) return { cards: [], errors };
  const cards = await insertCardRequests(
    services,
    trx,
    actor,
    process,
    template,
    eligible.map((user) => ({ user, ...(replacing && { predecessor: replacing }) })),
  );
  return { cards, errors };
}

/**
 * Inserts one card request of `template` for each holder (numbered in one draw from the
 * template's sequence), `approved` at once when the deployment has no approval step, each with
 * its history entry; a renewal's request names the card it renews. The caller has checked that
 * each holder may have it.
 */
export async function insertCardRequests(
  services: Services,
  trx: Db,
  actor: Actor,
  process: ProcessDefinition,
  template: CardTemplate,
  holders: readonly { user: User; predecessor?: { id: string; cardNumber: string } }[],
): Promise<CardView[]> {
  const options = await services.getOptions(trx);
  const at = nowIso(services);
  const state = options.approvalStep ? "requested" : "approved";
  const first = await reserveSequence(trx, `card-number:${template.name}`, holders.length);
  const newCards: NewCard[] = holders.map(({ user, predecessor }, i) => ({
    id: newRowId(),
    cardNumber: formatCardNumber(template.cardNumber.prefix, template.cardNumber.digits, first + i),
    userId: user.id,
    template: template.name,
    state,
    holderName: `${user.firstName} ${user.lastName}`,
    organizationalUnit: user.organizationalUnit,
    requestedBy: actor.id,
    decidedBy: options.approvalStep ? null : actor.id,
    predecessorId: predecessor?.id ?? null,
  }));
  await insertCards(trx, newCards, at);
  await services.audit.append(
    trx,
    newCards.map((card, i) => {
      const predecessor = holders[i]!.predecessor;
      return {
        action: process.symbolicName,
        objectType: "card",
        objectId: card.id,
        outcome: "success" as const,
        operator: actor,
        details: {
          cardNumber: card.cardNumber,
          userId: card.userId,
          template: template.name,
          to: state,
          ...(predecessor && { renews: predecessor.id, renewsNumber: predecessor.cardNumber }),
        },
      };
    }),
    at,
  );
  const cards = await findCardsByIds(
    trx,
    newCards.map((card) => card.id),
  );
  return cards.map(toCardView);
}

/**
 * The card a request replaces, checked: the holder's own card of the same template, in use,
 * not replaced or renewed already by a live card.
 *
 * @throws TesseraError `card.not_found`, `request.invalid` (another holder's card, another
 * template), `card.state_not_allowed`, `card.already_renewed`.
 */
async function replacedCard(
  trx: Db,
  body: { userId: string; template: string; replaces: string },
): Promise<Card> {
  const card = await findCardById(trx, body.replaces);
  if (!card)
    throw new TesseraError("card.not_found", `There is no card with id ${body.replaces}.`, {
      field: "replaces",
    });
  if (card.userId !== body.userId)
    throw new TesseraError(
      "request.invalid",
      `Card ${card.cardNumber} is another holder's: a card replaces its holder's own.`,
      {
        field: "replaces",
      },
    );
  if (card.template !== body.template)
    throw new TesseraError(
      "request.invalid",
      `Card ${card.cardNumber} is a ${card.template}: its replacement is of the same template.`,
      { field: "template" },
    );
  if (!supersededStates.includes(card.state))
    throw new TesseraError(
      "card.state_not_allowed",
      `Card ${card.cardNumber} is ${card.state}: only a card in use is replaced.`,
      {
        field: "replaces",
      },
    );
  const successor = (await findSuccessorsOf(trx, [card.id], liveCardStates)).get(card.id);
  if (successor)
    throw new TesseraError(
      "card.already_renewed",
      `Card ${card.cardNumber} is replaced already by card ${successor.cardNumber} (${successor.state}).`,
      { field: "replaces", successorId: successor.id },
    );
  return card;
}

/**
 * Request card: a registration officer requests a card of a template for an active user; with
 * `replaces`, a successor of one of the holder's cards in use (after a change to what it shows),
 * whose activation locks that card (superseded), as a renewal's does.
 */
export const cardsProcRequest = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    const template = findTemplate(services, body.template);
    return transact(services.store, async (trx) => {
      // In turns with another replacement or a renewal of the holder's card, which check for a
      // successor too (requestCards takes the same lock again, which it holds already).
      if (body.replaces) await lockAllUntilCommit(trx, services.store.dialect, "holderCards", [body.userId]);
      const replacing = body.replaces
        ? await replacedCard(trx, { ...body, replaces: body.replaces })
        : undefined;
      const { cards, errors } = await requestCards(
        services,
        trx,
        actor,
        definition,
        [body.userId],
        template,
        replacing,
      );
      const [error] = errors;
      if (error) throw new TesseraError(error.code, error.reason, { userId: body.userId });
      return { card: cards[0]! };
    });
  },
});
