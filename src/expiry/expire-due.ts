import type { CardState } from "../domain/card-states.js";
import type { CertificateState } from "../domain/certificate-states.js";
import type { Services } from "../services/services.js";
import type { AuditEntryInput } from "../store/audit-log.js";
import { type Db, transact } from "../store/database.js";
import {
  type ExpiredCard,
  type ExpiredCertificate,
  expireCards,
  expireCertificates,
} from "../store/expiry.js";
import { lockUntilCommit } from "../store/transaction-locks.js";

/** What one pass changed. */
export interface ExpiryCounts {
  certificates: number;
  cards: number;
}

/**
 * Rows per slice. SQLite has one connection and works synchronously, so while a slice runs no
 * request is answered: its slices stay a few milliseconds long. PostgreSQL answers requests on
 * other connections meanwhile, and fewer, larger transactions make the pass faster there.
 */
const defaultSliceSize = { sqlite: 50, postgres: 1000 } as const;

/** The states whose certificates and cards end at their notAfter or validity. */
const certificateStatesThatExpire: readonly CertificateState[] = ["valid", "onHold"];
const cardStatesThatExpire: readonly CardState[] = ["issued", "active", "inactive"];

/**
 * Moves every certificate and card whose end has passed to `expired`, each with its history
 * entry, in slices of `sliceSize`: each slice is its own short transaction, and the pass gives
 * way to other work between slices, so a pass over 100,000 certificates never holds the
 * database (SQLite's one writer, PostgreSQL's rows) for long. Several Tessera processes take
 * turns slice by slice; a row already moved by another is skipped, so nothing is written twice.
 * Revoked certificates are final and keep their state; locked cards likewise.
 */
export async function expireDue(
  services: Pick<Services, "store" | "audit" | "clock">,
  sliceSize = defaultSliceSize[services.store.dialect],
): Promise<ExpiryCounts> {
  const counts: ExpiryCounts = { certificates: 0, cards: 0 };
  for (const from of certificateStatesThatExpire)
    counts.certificates += await expireInSlices(
      services,
      (trx, now) => expireCertificates(trx, from, now, sliceSize),
      (certificate) => certificateExpiry(certificate, from),
    );
  for (const from of cardStatesThatExpire)
    counts.cards += await expireInSlices(
      services,
      (trx, now) => expireCards(trx, from, now, sliceSize),
      (card) => cardExpiry(card, from),
    );
  return counts;
}

/** What the object history says of one row the pass moved; the pass, not an operator, did it. */
type ExpiryEntry = Required<Pick<AuditEntryInput, "action" | "objectType" | "objectId" | "details">>;

function certificateExpiry(c: ExpiredCertificate, from: CertificateState): ExpiryEntry {
  return {
    action: "certificate.expire",
    objectType: "certificate",
    objectId: c.serial,
    details: { from, to: "expired", notAfter: c.notAfter, ...(c.cardId && { cardId: c.cardId }) },
  };
}

function cardExpiry(c: ExpiredCard, from: CardState): ExpiryEntry {
  return {
    action: "card.expire",
    objectType: "card",
    objectId: c.id,
    details: { cardNumber: c.cardNumber, from, to: "expired", expiresAt: c.expiresAt },
  };
}

/**
 * Runs `expire`, each time in its own transaction with a history entry per row it moved, until
 * it moves nothing; answers how many rows it moved.
 */
async function expireInSlices<Row>(
  services: Pick<Services, "store" | "audit" | "clock">,
  expire: (trx: Db, now: string) => Promise<Row[]>,
  entryOf: (row: Row) => ExpiryEntry,
): Promise<number> {
  const { store, audit, clock } = services;
  let total = 0;
  for (;;) {
    const found = await transact(store, async (trx) => {
      await lockUntilCommit(trx, store.dialect, "expiryPass");
      const now = clock().toISOString();
      const expired = await expire(trx, now);
      const entries = expired.map((row) => ({
        ...entryOf(row),
        outcome: "success" as const,
        operator: null,
      }));
      if (entries.length > 0) await audit.append(trx, entries, now);
      return expired.length;
    });
    if (found === 0) return total;
    total += found;
    // Between slices, let waiting requests have the database.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
