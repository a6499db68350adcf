import { z } from "zod";
import { lockReasons, revocationReasonForLock } from "../domain/certificate-states.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess, type ProcessDefinition } from "../domain/process-catalog.js";
import type { Card } from "../store/cards.js";
import { countCardsOfUsers } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import { findUserById } from "../store/users.js";
import { changeCardCertificates } from "./card-certificates.js";
import { changeCard, loadCardFor } from "./card-steps.js";
import { defineProcess } from "./process-handler.js";
import { cardRefSchema, cardSchema, toCardView } from "./schemas.js";
import type { Actor, Services } from "./services.js";

/** With several active cards per user off, a card may only become active when the user has no other. */
export async function assertMayBecomeActive(services: Services, trx: Db, card: Card): Promise<void> {
  const options = await services.getOptions(trx);
  if (options.severalActiveCards) return;
  const active = (await countCardsOfUsers(trx, [card.userId], ["active"])).get(card.userId) ?? 0;
  if (active > 0)
    throw new TesseraError(
      "card.too_many_active",
      `The holder of card ${card.cardNumber} already has an active card, and several active cards per user are not allowed.`,
      { cardId: card.id },
    );
}

/**
 * A card becomes active only with a certificate to be active with: one that is valid or on
 * hold (to be released). A card whose certificates were all revoked would show `active` while
 * every relying party refuses it.
 */
export async function assertHasUsableCertificate(trx: Db, card: Card): Promise<void> {
  const certificates = await findCertificatesOfCard(trx, card.id);
  if (!certificates.some((c) => c.state === "valid" || c.state === "onHold"))
    throw new TesseraError(
      "card.no_usable_certificate",
      `Card ${card.cardNumber} has no certificate that is valid or on hold (${
        certificates.length === 0 ? "it has none" : certificates.map((c) => c.state).join(", ")
      }), so it cannot become active.`,
      { cardId: card.id },
    );
}

/** Activation of one issued card, in the caller's transaction: card active, held certificates valid. */
export async function activateCard(
  services: Services,
  trx: Db,
  actor: Actor,
  process: ProcessDefinition,
  card: Card,
): Promise<Card> {
  await assertMayBecomeActive(services, trx, card);
  await assertHasUsableCertificate(trx, card);
  const released = await changeCardCertificates(services, trx, actor, card.id, ["onHold"], {
    kind: "release",
  });
  return changeCard(
    services,
    trx,
    actor,
    process,
    card,
    { state: "active" },
    { certificatesReleased: released },
  );
}

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
