import { z } from "zod";
import { TesseraError } from "../domain/errors.js";
import { findProcess } from "../domain/process-catalog.js";
import { changeCard, loadCardFor } from "../services/card-steps.js";
import { nowIso } from "../services/services.js";
import { defineProcess } from "./process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "./schemas.js";

const definition = findProcess("CardsProcApprove")!;

export const cardsApprove = defineProcess({
  definition,
  status: 200,
  body: z.strictObject({
    ...cardRefSchema,
    decision: z.enum(["approve", "reject", "postpone"]),
    reason: z.string().trim().max(500).optional(),
  }),
  result: z.object({ card: cardSchema }),
  async run(services, actor, body) {
    if (body.decision === "reject" && !body.reason)
      throw new TesseraError("card.reason_required", "Say why the request is rejected.", { field: "reason" });
    const card = await services.store.db.transaction().execute(async (trx) => {
      const card = await loadCardFor(trx, definition, body.cardId, body.version);
      // Four eyes: whoever requested a card may not decide on it.
      if (card.requestedBy === actor.id)
        throw new TesseraError("card.four_eyes", undefined, { cardId: card.id });
      const at = nowIso(services);
      switch (body.decision) {
        case "approve":
          return changeCard(services, trx, actor, definition, card, {
            state: "approved",
            decidedBy: actor.id,
            decidedAt: at,
            reason: body.reason ?? null,
          });
        case "reject":
          return changeCard(
            services,
            trx,
            actor,
            definition,
            card,
            { state: "rejected", decidedBy: actor.id, decidedAt: at, reason: body.reason! },
            { reason: body.reason },
          );
        case "postpone":
          return changeCard(
            services,
            trx,
            actor,
            definition,
            card,
            { reason: body.reason ?? null },
            { decision: "postpone", reason: body.reason ?? null },
          );
      }
    });
    return { card: toCardView(card) };
  },
});
