import type { Card } from "../domain/card.js";
import { supersededStates } from "../domain/card-states.js";
import type { CertificateRecord } from "../domain/certificate.js";
import { TesseraError } from "../domain/errors.js";
import { findProcess, type ProcessDefinition } from "../domain/process-catalog.js";
import { severalActiveCardsRefusal } from "../domain/several-active-cards.js";
import type { CardTransitionChanges } from "../store/card-transitions.js";
import { countCardsOfUsers, findCardById } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import { lockUntilCommit } from "../store/transaction-locks.js";
import { findUserById } from "../store/users.js";
import { changeCardCertificates } from "./card-certificates.js";
import { changeCard } from "./card-steps.js";
import { lockCard } from "./lock-card.js";
import { type Actor, nowIso, type Services } from "./services.js";

/**
 * Making an issued card active, shared by the single activation process and by a batch that
 * activates (Activate multiple cards, or cards produced straight to active).
 */

/**
 * With several active cards per user off, a card may only become active when the user has no
 * other. Called with the holder's cards locked ({@link activateCard}): two activations of one
 * holder's cards at once would otherwise both count none and both pass.
 */
async function assertMayBecomeActive(services: Services, trx: Db, card: Card): Promise<void> {
  const options = await services.getOptions(trx);
  if (options.severalActiveCards) return;
  const active = (await countCardsOfUsers(trx, [card.userId], ["active"])).get(card.userId) ?? 0;
  const refusal = severalActiveCardsRefusal(options, card, active);
  if (refusal) throw refusal;
}

/**
 * A card becomes active only with a certificate to be active with: one that is valid or on
 * hold (to be released). A card whose certificates were all revoked would show `active` while
 * every relying party refuses it.
 */
async function assertHasUsableCertificate(
  trx: Db,
  card: Card,
  now: string,
): Promise<readonly CertificateRecord[]> {
  const certificates = await findCertificatesOfCard(trx, card.id);
  // One whose end has passed is as good as expired, whether or not the expiry pass has been by.
  if (!certificates.some((c) => (c.state === "valid" || c.state === "onHold") && c.notAfter > now))
    throw new TesseraError(
      "card.no_usable_certificate",
      `Card ${card.cardNumber} has no certificate that is valid or on hold (${
        certificates.length === 0
          ? "it has none"
          : certificates.map((c) => (c.notAfter > now ? c.state : "expired")).join(", ")
      }), so it cannot become active.`,
      { cardId: card.id },
    );
  return certificates;
}

/**
 * Makes one card active, in the caller's transaction: card active, held certificates valid.
 * Activation of an issued card and reactivation of an inactive one alike; `changes` are set
 * along with the state.
 */
export async function activateCard(
  services: Services,
  trx: Db,
  actor: Actor,
  process: ProcessDefinition,
  card: Card,
  changes: CardTransitionChanges = {},
): Promise<Card> {
  // In turns with everything else that changes the holder's cards (another activation, a
  // deactivation of the holder): the checks below then read what the others committed.
  await lockUntilCommit(trx, services.store.dialect, "holderCards", card.userId);
  const holder = await findUserById(trx, card.userId);
  if (holder?.state !== "active")
    throw new TesseraError(
      "user.inactive",
      `The holder of card ${card.cardNumber} is not active (deactivated as a leaver?): the card cannot become active.`,
      { cardId: card.id, userId: card.userId },
    );
  const now = nowIso(services);
  if (card.expiresAt !== null && card.expiresAt <= now)
    throw new TesseraError(
      "card.expired",
      `Card ${card.cardNumber} reached the end of its validity on ${card.expiresAt}: it cannot become active; request a new card.`,
      { cardId: card.id, expiresAt: card.expiresAt },
    );
  const certificates = await assertHasUsableCertificate(trx, card, now);
  // A renewal's successor replaces its predecessor: that one is locked first (superseded), so
  // that it no longer counts as the holder's active card.
  if (card.predecessorId) {
    const predecessor = await findCardById(trx, card.predecessorId);
    if (predecessor && supersededStates.includes(predecessor.state))
      await lockCard(
        { services, trx, actor, process: findProcess("CardsProcLock") },
        predecessor,
        "superseded",
        {
          supersededBy: card.id,
          supersededByNumber: card.cardNumber,
        },
      );
  }
  await assertMayBecomeActive(services, trx, card);
  const released = await changeCardCertificates(
    services,
    trx,
    actor,
    card.id,
    ["onHold"],
    { kind: "release" },
    certificates,
  );
  const run = { services, trx, actor, process };
  return changeCard(run, card, { to: "active", ...changes }, { certificatesReleased: released });
}
