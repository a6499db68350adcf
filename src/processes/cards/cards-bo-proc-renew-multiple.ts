import type { Card } from "../../domain/card.js";
import { liveCardStates } from "../../domain/card-states.js";
import { type ErrorCode, TesseraError } from "../../domain/errors.js";
import { findProcess } from "../../domain/process-catalog.js";
import type { User } from "../../domain/user.js";
import { nowIso } from "../../services/services.js";
import { findCardsByIds, findSuccessorsOf } from "../../store/cards.js";
import { transact } from "../../store/database.js";
import { lockAllUntilCommit } from "../../store/transaction-locks.js";
import { findUsersByIds } from "../../store/users.js";
import { defineProcess } from "../process-handler.js";
import { findTemplate, insertCardRequests } from "./cards-proc-request.js";

const definition = findProcess("CardsBoProcRenewMultiple");
const day = 86_400_000;

/** Why one selected card cannot be renewed. */
interface Refusal {
  cardId: string;
  cardNumber?: string;
  code: ErrorCode;
  reason: string;
}

/**
 * Renew multiple cards (batch order, issue 12): for each selected card nearing its end, a
 * successor request for the same holder and template, requested or approved under the
 * deployment's approval step, produced later by Issue multiple cards like any other; when the
 * successor becomes active, the card it renews is locked (superseded). All or nothing: when any
 * selected card cannot be renewed, nothing is requested and the answer names each such card.
 */
export const cardsBoProcRenewMultiple = defineProcess(definition, {
  status: 200,
  async run(services, actor, body) {
    return transact(services.store, async (trx) => {
      const cards = new Map((await findCardsByIds(trx, body.cardIds)).map((card) => [card.id, card]));
      // In turns with a deactivation of the holders, which would otherwise miss the new requests.
      await lockAllUntilCommit(
        trx,
        services.store.dialect,
        "holderCards",
        [...cards.values()].map((card) => card.userId),
      );
      const options = await services.getOptions(trx);
      const windowEnd = new Date(services.clock().getTime() + options.renewalWindowDays * day).toISOString();
      const holders = await findUsersByIds(
        trx,
        [...cards.values()].map((card) => card.userId),
      );
      const successors = await findSuccessorsOf(trx, [...cards.keys()], liveCardStates);
      const refusals: Refusal[] = [];
      const renewals: { card: Card; holder: User }[] = [];
      const seen = new Set<string>();
      for (const cardId of body.cardIds) {
        const card = cards.get(cardId);
        const holder = card && holders.get(card.userId);
        const successor = successors.get(cardId);
        const refuse = (code: ErrorCode, reason: string) =>
          refusals.push({ cardId, ...(card && { cardNumber: card.cardNumber }), code, reason });
        if (seen.has(cardId)) refuse("request.invalid", "The card is selected twice.");
        else if (!card) refuse("card.not_found", `There is no card with id ${cardId}.`);
        else if (!definition.requiredCardStates.includes(card.state))
          refuse(
            "card.state_not_allowed",
            `Card ${card.cardNumber} is ${card.state}: only cards in use are renewed.`,
          );
        else if (card.expiresAt === null || card.expiresAt > windowEnd)
          refuse(
            "card.not_near_expiry",
            `Card ${card.cardNumber} ends on ${card.expiresAt?.slice(0, 10) ?? "no date"}, more than ${options.renewalWindowDays} days from now.`,
          );
        else if (successor)
          refuse(
            "card.already_renewed",
            `Card ${card.cardNumber} is renewed already by card ${successor.cardNumber} (${successor.state}).`,
          );
        else if (holder?.state !== "active")
          refuse("user.inactive", `The holder of card ${card.cardNumber} is not active.`);
        else renewals.push({ card, holder });
        seen.add(cardId);
      }
      if (refusals.length > 0) {
        const [first] = refusals;
        throw new TesseraError(
          "card.not_renewable",
          refusals.length === 1
            ? `No card was renewed: ${first!.reason}`
            : `No card was renewed: ${refusals.length} of the selected cards cannot be; the first: ${first!.reason}`,
          { cards: refusals },
        );
      }
      const requested = [];
      // One draw of card numbers per template.
      for (const templateName of new Set(renewals.map((r) => r.card.template))) {
        const template = findTemplate(services, templateName);
        requested.push(
          ...(await insertCardRequests(
            services,
            trx,
            actor,
            definition,
            template,
            renewals
              .filter((r) => r.card.template === templateName)
              .map((r) => ({ user: r.holder, predecessor: r.card })),
          )),
        );
      }
      const at = nowIso(services);
      await services.audit.append(
        trx,
        requested.map((successor) => ({
          action: definition.symbolicName,
          objectType: "card",
          objectId: successor.predecessorId!,
          outcome: "success" as const,
          operator: actor,
          details: { renewedBy: successor.id, renewedByNumber: successor.cardNumber },
        })),
        at,
      );
      return { cards: requested };
    });
  },
});
