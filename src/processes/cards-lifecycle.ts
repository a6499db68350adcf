import { z } from "zod";
import { lockReasons, revocationReasonForLock } from "../domain/certificate-states.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess, type ProcessDefinition } from "../domain/process-catalog.js";
import {
  activateCard,
  assertHasUsableCertificate,
  assertMayBecomeActive,
} from "../services/activate-card.js";
import { changeCardCertificates } from "../services/card-certificates.js";
import { changeCard, loadCardFor } from "../services/card-steps.js";
import type { Actor, Services } from "../services/services.js";
import type { Card } from "../store/cards.js";
import type { Db } from "../store/database.js";
import { findUserById } from "../store/users.js";
import { defineProcess } from "./process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "./schemas.js";

function singleCardProcess<Extra extends z.ZodRawShape>(
  symbolicName: string,
  extra: Extra,
  apply: (
    services: Services,
    trx: Db,
    actor: Actor,
    definition: ProcessDefinition,
    card: Card,
    body: z.infer<z.ZodObject<Extra>>,
  ) => Promise<Card>,
) {
  const definition = findProcess(symbolicName)!;
  return defineProcess({
    definition,
    status: 200,
    body: z.strictObject({ ...cardRefSchema, ...extra }),
    result: z.object({ card: cardSchema }),
    async run(services, actor, body) {
      const card = await services.store.db.transaction().execute(async (trx) => {
        const { cardId, version } = body as { cardId: string; version?: number };
        const card = await loadCardFor(trx, definition, cardId, version);
        return apply(services, trx, actor, definition, card, body as z.infer<z.ZodObject<Extra>>);
      });
      return { card: toCardView(card) };
    },
  });
}

export const cardsActivate = singleCardProcess(
  "CardsProcActivate",
  {},
  (services, trx, actor, definition, card) => activateCard(services, trx, actor, definition, card),
);

export const cardsDeactivate = singleCardProcess(
  "CardsProcDeactivate",
  { reason: z.string().trim().max(500).optional() },
  async (services, trx, actor, definition, card, body) => {
    const held = await changeCardCertificates(services, trx, actor, card.id, ["valid"], { kind: "hold" });
    return changeCard(
      services,
      trx,
      actor,
      definition,
      card,
      { state: "inactive", reason: body.reason ?? null },
      { certificatesHeld: held },
    );
  },
);

export const cardsReactivate = singleCardProcess(
  "CardsProcReactivate",
  {},
  async (services, trx, actor, definition, card) => {
    const user = await findUserById(trx, card.userId);
    if (user?.state !== "active")
      throw new TesseraError("user.inactive", `The holder of card ${card.cardNumber} is not active.`, {
        cardId: card.id,
      });
    await assertMayBecomeActive(services, trx, card);
    await assertHasUsableCertificate(trx, card);
    const released = await changeCardCertificates(services, trx, actor, card.id, ["onHold"], {
      kind: "release",
    });
    return changeCard(
      services,
      trx,
      actor,
      definition,
      card,
      { state: "active", reason: null },
      { certificatesReleased: released },
    );
  },
);

export const cardsLock = singleCardProcess(
  "CardsProcLock",
  { reason: z.enum(lockReasons) },
  async (services, trx, actor, definition, card, body) => {
    const reason = revocationReasonForLock[body.reason];
    const revoked = await changeCardCertificates(services, trx, actor, card.id, ["valid", "onHold"], {
      kind: "revoke",
      reason: reason as Exclude<typeof reason, "certificateHold">,
    });
    return changeCard(
      services,
      trx,
      actor,
      definition,
      card,
      { state: "locked", reason: body.reason },
      { lockReason: body.reason, revocationReason: reason, certificatesRevoked: revoked },
    );
  },
);

export const cardsRepeatProduction = singleCardProcess(
  "CardsProcRepeatProduction",
  {},
  async (services, trx, actor, definition, card) =>
    changeCard(services, trx, actor, definition, card, { state: "approved", batchId: null, reason: null }),
);
