import { TesseraError } from "../../domain/errors.js";
import { findCardById } from "../../store/cards.js";
import { findCertificate } from "../../store/certificates.js";
import type { Db } from "../../store/database.js";
import { defineCertificateProcess } from "../certificate-process.js";

/**
 * Releasing a hold makes a certificate valid, so it is allowed only for a card that is active:
 * an issued card becomes valid through activation alone (its holder has received it), and an
 * inactive one through reactivation. A certificate of no card is released freely.
 */
async function assertCardAllowsRelease(trx: Db, serial: string): Promise<void> {
  const certificate = await findCertificate(trx, serial);
  if (certificate?.state !== "onHold" || !certificate.cardId) return;
  const card = await findCardById(trx, certificate.cardId);
  if (!card || card.state === "active") return;
  throw new TesseraError(
    "certificate.card_not_active",
    card.state === "issued"
      ? `Card ${card.cardNumber} is issued, not yet activated: its certificates become valid when the card is activated, not by releasing a hold.`
      : `Card ${card.cardNumber} is ${card.state}: a hold is released only for a certificate of an active card.`,
    { serial, cardId: card.id, cardState: card.state },
  );
}

/** Release certificate hold: a certificate on hold is valid again (OCSP answers good from the commit). */
export const certificatesProcRelease = defineCertificateProcess(
  "CertificatesProcRelease",
  () => ({ kind: "release" }),
  assertCardAllowsRelease,
);
