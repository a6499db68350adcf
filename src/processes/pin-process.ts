import { findProcess } from "../domain/process-catalog.js";
import { type CardChip, reachCardChip, recordPinOperation } from "../services/card-pin.js";
import { loadCardFor } from "../services/card-steps.js";
import type { Services } from "../services/services.js";
import type { ProcessBody } from "./process-contracts.js";
import { defineProcess } from "./process-handler.js";
import { toCardView } from "./schemas.js";

type PinProcessName = "CardsProcChangePin" | "CardsProcUnblockPin";

/** What a PIN operation leaves for its history entry (see `recordPinOperation`). */
export interface PinOperationDone {
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
) {
  const definition = findProcess(symbolicName);
  return defineProcess<PinProcessName>(symbolicName, {
    status: 200,
    async run(services, actor, input) {
      const card = await loadCardFor(services.store.db, definition, input.cardId, input.version);
      const chip = reachCardChip(services, card);
      // The name's own body is the one its contract parsed (see card-process.ts).
      const { details, chipHas } = await operate(services, chip, input as ProcessBody<Name>);
      const now = await recordPinOperation(services, actor, definition, chip, details, chipHas);
      return { card: toCardView(now) };
    },
  });
}
