import { findProcess } from "../domain/process-catalog.js";
import { type CardChip, reachCardChip, recordPinOperation } from "../services/card-pin.js";
import { loadCardFor } from "../services/card-steps.js";
import type { Services } from "../services/services.js";
import type { CardProcessName, ProcessBody } from "./process-contracts.js";
import { defineProcess, type HandlerOf } from "./process-handler.js";
import { toCardView } from "./schemas.js";

/** The processes that set a card's PIN on its chip. */
type PinProcessName = Extract<CardProcessName, "CardsProcChangePin" | "CardsProcUnblockPin">;

/** What a PIN operation leaves for its history entry (see `recordPinOperation`). */
interface PinOperationDone {
  readonly details: Record<string, unknown>;
  readonly chipHas?: "stored" | "pending";
}

/**
 * A PIN process at a helpdesk desk whose reader this server reaches: the card is loaded in a
 * state the catalog allows (at the version the operator saw, when sent) and its chip reached;
 * `operate` works on the chip; the history entry is written once the chip said yes. The chip is
 * worked on outside any transaction (a card is slow, and on SQLite a transaction holds the only
 * connection). No PIN is stored.
 */
export function definePinProcess<Name extends PinProcessName>(
  symbolicName: Name,
  operate: (services: Services, chip: CardChip, body: ProcessBody<Name>) => Promise<PinOperationDone>,
): HandlerOf<Name> {
  const definition = findProcess<PinProcessName>(symbolicName);
  const handler = defineProcess(definition, {
    status: 200,
    async run(services, actor, body) {
      const card = await loadCardFor(services.store.db, definition, body.cardId, body.version);
      const chip = reachCardChip(services, card);
      // This name's contract parsed the body (see card-process.ts).
      const { details, chipHas } = await operate(services, chip, body as ProcessBody<Name>);
      const now = await recordPinOperation(services, actor, definition, chip, details, chipHas);
      return { card: toCardView(now) };
    },
  });
  return handler as HandlerOf<Name>;
}
