import type { CardState } from "./card-states.js";

/** One smart card (or software token) for one user, as every layer above the store sees it. */
export interface Card {
  id: string;
  cardNumber: string;
  state: CardState;
  template: string;
  userId: string;
  holderName: string;
  organizationalUnit: string | null;
  /** The running batch that holds the card now, if any. */
  batchId: string | null;
  /** The batch that last took the card, kept after that batch finished. */
  lastBatchId: string | null;
  /** Raised by every change: optimistic concurrency for operators acting at once. */
  version: number;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
  updatedAt: string;
  /** The card this one renews: activating this one locks that one (superseded). */
  predecessorId: string | null;
  /** The chip's token serial, for a card personalised through PKCS#11; null for a software token. */
  tokenSerial: string | null;
}
