import type { CertificateProfile } from "../domain/card-template.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";

/** One card as its encoder writes it. */
export interface CardToWrite {
  readonly cardId: string;
  readonly cardNumber: string;
  /** What the holder types; never kept. */
  readonly pin: string;
  /** The unblocking key: a chip's security-officer PIN. */
  readonly puk: string;
  /** The PUK as the card keeps it: a chip's journal holds it before the chip's SO PIN changes. */
  readonly pukEncrypted: string;
  /** The token an earlier, interrupted attempt was personalising for this card, to redo. */
  readonly resumeOnToken?: string | undefined;
}

/**
 * Thrown by an encoder for a card it has not begun (no chip touched, nothing signed) that its
 * batch no longer wants: a batch cancelled while the card waited for a blank card. The card is
 * released, as a cancelled batch's cards not yet taken are, not failed.
 */
export class CardNotWanted extends Error {
  override readonly name = "CardNotWanted";
}

/** What the encoder made: a software token's file, or the serial of the chip that now is the card. */
export type WrittenCard =
  | { readonly token: Buffer; readonly tokenSerial?: undefined }
  | { readonly token?: undefined; readonly tokenSerial: string };

/** One card being written, step by step, in the order `produce-card.ts` follows. */
export interface CardWriting {
  /** A key pair for one certificate profile, generated on the card; its public key (DER SPKI) out. */
  generateKeyPair(profile: CertificateProfile): Promise<Buffer>;
  /**
   * Puts the certificate the CA signed for the last key beside it. A chip journals it before
   * writing it, so a certificate on a card that never finishes is found and revoked.
   */
  addCertificate(profile: CertificateProfile, certificate: SignedCertificate): Promise<void>;
  /** Writes what is left (the CA chain), checks the card, and hands it over. */
  finish(): Promise<WrittenCard>;
  /** The card failed: let go of it (sessions closed, the chip wiped where it still answers). */
  abandon(): Promise<void>;
}

/**
 * What writes a card, and the seam every encoder plugs into: the software token (a PKCS#12
 * file, `software-encoder.ts`) and the chip card through PKCS#11 (`chip-encoder.ts`). Built
 * from the template's `encoder` by `createCardEncoder`. The private keys never cross it: the
 * software encoder keeps them for its file, a chip never lets them leave.
 */
export interface CardEncoder {
  /** Starts a card: a chip is taken from the readers and set up with the PUK and PIN first. */
  begin(card: CardToWrite): Promise<CardWriting>;
}
