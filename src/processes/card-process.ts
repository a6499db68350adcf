import { z } from "zod";
import type { Card } from "../domain/card.js";
import { findProcess, type SymbolicName } from "../domain/process-catalog.js";
import { loadCardFor, type ProcessRun } from "../services/card-steps.js";
import { transact } from "../store/database.js";
import { defineProcess } from "./process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "./schemas.js";

type CardBody<Fields extends z.ZodRawShape> = { cardId: string; version?: number | undefined } & z.infer<
  z.ZodObject<Fields>
>;

/**
 * A process on one card named by id. Its body is the card's reference and `fields`; `check`
 * refuses a body before anything is read. Then, in one transaction, the card is loaded in a state
 * the catalog allows (at the version the operator saw, when sent) and `apply` changes it; the
 * answer is the card as it is now.
 */
export function defineCardProcess<Fields extends z.ZodRawShape>(
  symbolicName: SymbolicName,
  fields: Fields,
  apply: (run: ProcessRun, card: Card, body: CardBody<Fields>) => Promise<Card>,
  check?: (body: CardBody<Fields>) => void,
) {
  const definition = findProcess(symbolicName);
  return defineProcess({
    definition,
    status: 200,
    body: z.strictObject({ ...cardRefSchema, ...fields }),
    result: z.object({ card: cardSchema }),
    async run(services, actor, input) {
      // The schema above parsed it; zod cannot spell its type through a generic shape.
      const body = input as CardBody<Fields>;
      check?.(body);
      const card = await transact(services.store, async (trx) => {
        const card = await loadCardFor(trx, definition, body.cardId, body.version);
        return apply({ services, trx, actor, process: definition }, card, body);
      });
      return { card: toCardView(card) };
    },
  });
}
