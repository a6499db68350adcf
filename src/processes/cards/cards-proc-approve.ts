import { TesseraError } from "../../domain/errors.js";
import { changeCard } from "../../services/card-steps.js";
import { nowIso } from "../../services/services.js";
import { defineCardProcess } from "../card-process.js";

/** Approve request: an approver approves, rejects (saying why) or postpones a requested card. */
export const cardsProcApprove = defineCardProcess(
  "CardsProcApprove",
  async (run, card, body) => {
    // Four eyes: whoever requested a card may not decide on it.
    if (card.requestedBy === run.actor.id)
      throw new TesseraError("card.four_eyes", undefined, { cardId: card.id });
    const decided = { decidedBy: run.actor.id, decidedAt: nowIso(run.services) };
    switch (body.decision) {
      case "approve":
        return changeCard(run, card, { to: "approved", ...decided, reason: body.reason ?? null });
      case "reject":
        return changeCard(
          run,
          card,
          { to: "rejected", ...decided, reason: body.reason! },
          { reason: body.reason },
        );
      case "postpone":
        return changeCard(
          run,
          card,
          { reason: body.reason ?? null },
          { decision: "postpone", reason: body.reason ?? null },
        );
    }
  },
  (body) => {
    if (body.decision === "reject" && !body.reason)
      throw new TesseraError("card.reason_required", "Say why the request is rejected.", { field: "reason" });
  },
);
