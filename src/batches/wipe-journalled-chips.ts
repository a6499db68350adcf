import { TesseraError } from "../domain/errors.js";
import type { TokenInfo } from "../pkcs11/pkcs11-module.js";
import { createPukCipher } from "../production/secrets.js";
import type { Services } from "../services/services.js";
import { findCardsByIds } from "../store/cards.js";
import { findChipJournal } from "../store/chip-journal.js";

/**
 * Wipes the chips the journal names for these cards, which failed after their chips were (or may
 * have been) personalised: a chunk given up after its last attempt (each attempt redid its chips),
 * or a card refused when its chunk is recorded. As a card that fails mid-card is (`chip-encoder.ts`,
 * abandon), each is erased, given back the transport SO PIN and labelled `blank-<card number>`,
 * a blank card again; otherwise it keeps the failed card's keys, its revoked certificates and an
 * SO PIN (the card's PUK) that nothing keeps once the journal forgets the token. Call it before
 * the journal forgets the tokens. A chip that is a blank card already (never set up, or wiped by
 * its attempt) is left alone: each wrong SO PIN costs a real card one of its few tries. A chip
 * that does not answer keeps what it had: its card fails and its certificates are revoked all the
 * same.
 *
 * It touches no further chip once `lease` is aborted: another producer then owns the cards' chips.
 */
export async function wipeJournalledChips(
  services: Pick<Services, "store" | "templates" | "chipStation" | "secrets">,
  cardIds: readonly string[],
  lease?: AbortSignal,
): Promise<void> {
  const { store, chipStation } = services;
  if (cardIds.length === 0) return;
  const entries = await findChipJournal(store.db, cardIds);
  if (entries.length === 0) return;
  const found = await findCardsByIds(
    store.db,
    entries.map((entry) => entry.cardId),
  );
  const cards = new Map(found.map((card) => [card.id, card]));
  const pukCipher = createPukCipher(services.secrets.pukKey);
  for (const entry of entries) {
    if (lease?.aborted) return;
    const card = cards.get(entry.cardId);
    const settings = card && services.templates.get(card.template)?.pkcs11;
    // A template this station no longer has: it reaches no chip of it.
    if (!card || !settings) continue;
    const reader = await chipStation.readersFor(settings).takeForToken(entry.tokenSerial);
    try {
      let token: TokenInfo;
      try {
        token = await reader.thread.findToken(entry.tokenSerial);
      } catch (error) {
        // Taken out of its reader: it keeps what it had.
        if (error instanceof TesseraError && error.code.startsWith("pkcs11.")) continue;
        throw error;
      }
      if (!token.isInitialised || new RegExp(settings.blankLabel).test(token.label)) continue;
      await reader.thread.abandon({
        serial: entry.tokenSerial,
        puk: pukCipher.decrypt(entry.pukEncrypted, entry.cardId),
        transportSoPin: chipStation.transportSoPin(settings),
        label: `blank-${card.cardNumber}`,
      });
    } finally {
      reader.release();
    }
  }
}
