import type { Card } from "../domain/card.js";
import { findProcess } from "../domain/process-catalog.js";
import { loadCardFor, type ProcessRun } from "../services/card-steps.js";
import { transact } from "../store/database.js";
import type { CardProcessName, ProcessBody } from "./process-contracts.js";
import { defineProcess, type HandlerOf } from "./process-handler.js";
import { toCardView } from "./schemas.js";

/**
 * A process on one card named by id, its body as its contract says. `check` refuses a body
 * before anything is read. Then, in one transaction, the card is loaded in a state the catalog
 * allows (at the version the operator saw, when sent) and `apply` changes it; the answer is the
 * card as it is now.
 */
export function defineCardProcess<Name extends CardProcessName>(
  symbolicName: Name,
  apply: (run: ProcessRun, card: Card, body: ProcessBody<Name>) => Promise<Card>,
  check?: (body: ProcessBody<Name>) => void,
): HandlerOf<Name> {
  const definition = findProcess<CardProcessName>(symbolicName);
  const handler = defineProcess(definition, {
    status: 200,
    async run(services, actor, input) {
      // defineProcess parsed the body with this name's contract: TypeScript cannot narrow the
      // union of every card process's body to it.
      const body = input as ProcessBody<Name>;
      check?.(body);
      const card = await transact(services.store, async (trx) => {
        const card = await loadCardFor(trx, definition, input.cardId, input.version);
        return apply({ services, trx, actor, process: definition }, card, body);
      });
      return { card: toCardView(card) };
    },
  });
  return handler as HandlerOf<Name>;
}
