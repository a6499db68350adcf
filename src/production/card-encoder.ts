import type { CertificateProfile } from "../domain/card-template.js";
import type { CardKeyPair } from "./card-keys.js";

/** One key and its certificate, as they go onto the card. */
export interface TokenEntry {
  readonly keyPair: CardKeyPair;
  readonly certificate: Buffer;
  /** The label card tools show: the certificate profile's name. */
  readonly friendlyName: string;
}

/**
 * What writes a card, and the seam every encoder plugs into (the software token now, a PKCS#11
 * card next): one card in — a key pair per certificate profile, whose public halves the CA
 * certifies — and its token out, holding the keys and certificates behind the card's PIN.
 * Built by `createCardEncoder` from the template's `encoder`.
 *
 * The software encoder generates keys in this thread and hands back the private key as PKCS#8
 * for the PKCS#12 file. A PKCS#11 encoder keeps the private key on the card and will need a
 * handle in its place, and a step before the first key that initializes the card with the PUK as
 * its security-officer PIN; that shape is for the PKCS#11 work to settle, not guessed here.
 */
export interface CardEncoder {
  /** A key pair for one certificate profile, generated "on the card". */
  generateKeyPair(profile: CertificateProfile): CardKeyPair;
  /** Writes the keys and certificates to the card, protected by `pin`; returns the token bytes. */
  finishToken(entries: readonly TokenEntry[], pin: string): Buffer;
}
