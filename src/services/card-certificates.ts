import { type CertificateChange, changeCertificateState } from "../ca/certificate-status.js";
import type { CertificateRecord } from "../domain/certificate.js";
import type { CertificateState } from "../domain/certificate-states.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import type { Db } from "../store/database.js";
import { type Actor, nowIso, type Services } from "./services.js";

/**
 * Applies one change to every certificate of a card that is in one of `from`, in the card
 * process's transaction: so the card and its certificates change together, and OCSP shows it
 * the moment the transaction commits.
 */
export async function changeCardCertificates(
  services: Services,
  trx: Db,
  actor: Actor,
  cardId: string,
  from: readonly CertificateState[],
  change: CertificateChange,
  /** The card's certificates when the caller has just read them in this transaction. */
  certificates?: readonly CertificateRecord[],
): Promise<string[]> {
  const at = nowIso(services);
  const changed: string[] = [];
  for (const certificate of certificates ?? (await findCertificatesOfCard(trx, cardId))) {
    if (!from.includes(certificate.state)) continue;
    await changeCertificateState(trx, services.audit, actor, certificate.serial, change, at, { cardId });
    changed.push(certificate.serial);
  }
  return changed;
}
