import type { CardState } from "../domain/card-states.js";
import { type CertificateState, canCertificateTransition } from "../domain/certificate-states.js";
import { transitionCardsListingChanged } from "./card-transitions.js";
import type { Db } from "./database.js";

/** A certificate the expiry pass moved to `expired`. */
export interface ExpiredCertificate {
  serial: string;
  cardId: string | null;
  notAfter: string;
}

/** A card the expiry pass moved to `expired`. */
export interface ExpiredCard {
  id: string;
  cardNumber: string;
  expiresAt: string;
}

/**
 * Marks expired up to `limit` certificates in state `from` whose notAfter is at or before
 * `now`, oldest end first, and answers those it changed. A certificate moved meanwhile by
 * someone else (a revocation committed first) is left alone. An expired certificate keeps its
 * revocation time and reason: one that was on hold stays on the CRL until its end has passed,
 * and OCSP keeps answering it revoked.
 */
export async function expireCertificates(
  db: Db,
  from: CertificateState,
  now: string,
  limit: number,
): Promise<ExpiredCertificate[]> {
  if (!canCertificateTransition(from, "expired"))
    throw new Error(`A certificate cannot go from ${from} to expired: the state model does not allow it.`);
  const due = await db
    .selectFrom("certificates")
    .select(["serial", "card_id as cardId", "not_after as notAfter"])
    .where("state", "=", from)
    .where("not_after", "<=", now)
    // Ordered by the index's own column only: a tie-break on serial would sort every ended
    // certificate again for each slice.
    .orderBy("not_after")
    .limit(limit)
    .execute();
  if (due.length === 0) return [];
  const changed = await db
    .updateTable("certificates")
    .set({ state: "expired", updated_at: now })
    .where(
      "serial",
      "in",
      due.map((c) => c.serial),
    )
    .where("state", "=", from)
    .returning("serial")
    .execute();
  const serials = new Set(changed.map((row) => row.serial));
  return due.filter((c) => serials.has(c.serial));
}

/**
 * Marks expired up to `limit` cards in state `from` whose validity ended at or before `now`,
 * through the one card transition (which checks the state model), and answers those it changed.
 */
export async function expireCards(
  db: Db,
  from: CardState,
  now: string,
  limit: number,
): Promise<ExpiredCard[]> {
  const due = await db
    .selectFrom("cards")
    .select(["id", "card_number as cardNumber", "expires_at as expiresAt"])
    .where("state", "=", from)
    .where("expires_at", "<=", now)
    .orderBy("expires_at")
    .orderBy("id")
    .limit(limit)
    .execute();
  if (due.length === 0) return [];
  const changed = new Set(
    await transitionCardsListingChanged(db, {
      ids: due.map((c) => c.id),
      from,
      to: "expired",
      at: now,
    }),
  );
  return due.filter((c) => changed.has(c.id)) as ExpiredCard[];
}
