import type { Pkcs11Encoder } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { TokenInfo } from "../pkcs11/pkcs11-module.js";
import type { CardEncoder, CardToWrite, CardWriting } from "./card-encoder.js";
import type { ReaderSlots } from "./reader-slots.js";
import type { ReaderThread } from "./reader-thread.js";

/**
 * What the chip encoder writes down before it touches a chip (the station's database: see
 * `store/chip-journal.ts`). A card on plastic cannot be rolled back, so an interrupted card is
 * redone, or failed with its certificates revoked, from what this holds.
 */
export interface ChipJournal {
  /** The tokens some card is being personalised on now, by any producer. */
  takenTokens(): Promise<ReadonlySet<string>>;
  /** `tokenSerial` becomes `cardId`, its SO PIN the PUK; false when another card took it first. */
  start(entry: { cardId: string; tokenSerial: string; pukEncrypted: string }): Promise<boolean>;
  /** A certificate signed for the card, before it is written to the chip. */
  keepCertificate(cardId: string, certificate: SignedCertificate): Promise<void>;
  /** The card's token was left untouched (it refused the transport PIN): forget it. */
  release(cardId: string): Promise<void>;
}

export interface ChipEncoderOptions {
  readonly settings: Pkcs11Encoder;
  /** The SO PIN blank cards of this type leave the factory with. */
  readonly transportSoPin: string;
  readonly journal: ChipJournal;
  /**
   * The station's readers of this kind of card: a card holds one from `begin` to its end, and
   * every PKCS#11 call of the card runs in that reader's thread.
   */
  readonly readers: ReaderSlots;
  /** Tokens that refused this transport SO PIN at this station: never tried with it again. */
  readonly refusedTokens: Set<string>;
  /**
   * Labels of tokens that are never blank cards whatever their label says: the CA's own token,
   * when its key is in a token of this module (found by its label, as the CA finds it).
   */
  readonly reservedLabels?: readonly string[];
  /** The CA certificate first, then those above it (DER): written to each card. */
  readonly caCertificates: readonly Buffer[];
}

/**
 * The PKCS#11 card encoder: the keys are generated on the chip and never leave it, the PUK
 * becomes the chip's SO PIN and the PIN its user PIN. The order survives a crash anywhere:
 *
 * 1. a blank token is journalled to the card with the PUK, before it is touched;
 * 2. it is initialised (erased) with its transport SO PIN — or, redoing an interrupted card,
 *    with whichever of the transport PIN and the journalled PUK it has — and labelled with the
 *    card number; the SO PIN becomes the PUK, then the PIN is set;
 * 3. per profile a key pair is generated on the chip (sensitive, never extractable, only the
 *    profile's usages, CKA_ID = SHA-1 of the public key as OpenSC's tools expect); its
 *    certificate is journalled, then written beside it;
 * 4. the CA chain is written, each signing key signs a challenge that is checked against its
 *    certificate, and the session is logged out.
 *
 * The journal is written on this thread before each step; the steps themselves
 * (`chip-card-steps.ts`) run in the thread of the card's reader, so a slow chip blocks neither
 * the main thread nor the other readers.
 */
export function createChipEncoder(options: ChipEncoderOptions): CardEncoder {
  const { settings, transportSoPin, journal, caCertificates, readers, refusedTokens } = options;
  /** Tokens this encoder has picked and not yet journalled. */
  const picking = new Set<string>();
  /**
   * Set once a blank card refused the transport SO PIN: the station's setting is wrong, and every
   * wrong try costs a real card one of its few SO tries, so no further card is tried with it.
   */
  let transportRefused: TesseraError | undefined;

  async function takeBlankToken(
    reader: ReaderThread,
    card: { cardId: string; cardNumber: string; pukEncrypted: string },
  ) {
    for (;;) {
      const taken = await journal.takenTokens();
      const token = await reader.firstBlankToken({
        blankLabel: settings.blankLabel,
        excluded: [...taken, ...picking, ...refusedTokens],
        reservedLabels: options.reservedLabels ?? [],
      });
      if (!token)
        throw new TesseraError(
          "pkcs11.no_blank_card",
          `No blank card is left in the readers of ${settings.module} for card ${card.cardNumber}: put blank cards in the readers and produce the card again.`,
          { cardNumber: card.cardNumber, path: settings.module },
        );
      picking.add(token.serial);
      try {
        if (await journal.start({ ...card, tokenSerial: token.serial })) return token;
      } finally {
        picking.delete(token.serial);
      }
    }
  }

  return {
    async begin(card) {
      const reader = await readers.take();
      try {
        return await beginCard(card, reader.thread, reader.release);
      } catch (error) {
        reader.release();
        throw error;
      }
    },
  };

  async function beginCard(
    card: CardToWrite,
    reader: ReaderThread,
    release: () => void,
  ): Promise<CardWriting> {
    const named = (error: unknown) => {
      if (error instanceof TesseraError && !error.message.startsWith(`Card ${card.cardNumber}`))
        return new TesseraError(error.code, `Card ${card.cardNumber}: ${error.message}`, error.details, {
          cause: error,
        });
      return error;
    };
    if (transportRefused && !card.resumeOnToken)
      throw new TesseraError(
        "pkcs11.pin_incorrect",
        `Card ${card.cardNumber} was not tried: ${transportRefused.message} Set ${settings.transportSoPinEnv} to the transport SO PIN of these blank cards on the production station and produce the card again.`,
        { cardNumber: card.cardNumber },
      );
    for (;;) {
      let token: TokenInfo;
      if (card.resumeOnToken) {
        try {
          token = await reader.findToken(card.resumeOnToken);
        } catch (error) {
          throw named(error);
        }
      } else token = await takeBlankToken(reader, card);
      try {
        await setUp(token);
        return writeCard(reader, token.serial, card, release);
      } catch (error) {
        // A card labelled like a blank one that refuses the transport PIN may be another's card
        // put in the wrong reader: it is left alone and the next blank card taken. A second one
        // refusing it says the station's setting is wrong: then no further card is tried.
        const refused = error instanceof TesseraError && error.code === "pkcs11.pin_incorrect";
        if (!refused || card.resumeOnToken || !token.isInitialised) throw named(error);
        refusedTokens.add(token.serial);
        await journal.release(card.cardId);
        if (refusedTokens.size >= 2) {
          transportRefused = error;
          throw named(error);
        }
      }
    }

    /** Checks the chip, erases and labels it, gives it the PUK and PIN, and logs in as the user. */
    async function setUp(token: TokenInfo): Promise<void> {
      // The card's PIN must suit the chip as well as the template.
      if (card.pin.length < token.pinLength.min || card.pin.length > token.pinLength.max)
        throw new TesseraError(
          "pkcs11.pin_rejected",
          `Card ${card.cardNumber}: its chip (token ${token.serial}) takes PINs of ${token.pinLength.min} to ${token.pinLength.max} digits, not ${card.pin.length}.`,
          { cardNumber: card.cardNumber, serial: token.serial },
        );
      // Erase and label it. A factory-fresh chip takes the PUK as its first SO PIN; an
      // interrupted one has the transport PIN or, past that step, the PUK already.
      const soPins = !token.isInitialised
        ? [card.puk]
        : card.resumeOnToken
          ? [card.puk, transportSoPin]
          : [transportSoPin];
      await reader.setUp({
        serial: token.serial,
        soPins,
        label: card.cardNumber,
        puk: card.puk,
        pin: card.pin,
      });
    }
  }

  function writeCard(
    reader: ReaderThread,
    serial: string,
    card: { cardId: string; cardNumber: string; puk: string },
    release: () => void,
  ): CardWriting {
    const keys: {
      id: Buffer;
      profile: Parameters<CardWriting["generateKeyPair"]>[0];
      certificate?: Buffer;
    }[] = [];
    const failed = (error: unknown) =>
      error instanceof TesseraError
        ? new TesseraError(error.code, `Card ${card.cardNumber}: ${error.message}`, error.details, {
            cause: error,
          })
        : error;
    return {
      async generateKeyPair(profile) {
        try {
          const key = await reader.generateKeyPair(profile);
          keys.push({ id: key.id, profile });
          return key.spki;
        } catch (error) {
          throw failed(error);
        }
      },
      async addCertificate(profile, certificate) {
        const key = keys.at(-1);
        if (!key || key.profile !== profile || key.certificate)
          throw new Error("a certificate comes after its key pair");
        // Journalled first: a certificate on a chip that never finishes is then found and revoked.
        await journal.keepCertificate(card.cardId, certificate);
        key.certificate = Buffer.from(certificate.der);
        try {
          await reader.writeCertificate({ der: key.certificate, label: profile.name, id: key.id });
        } catch (error) {
          throw failed(error);
        }
      },
      async finish() {
        try {
          const finished = await reader.finish({
            cardNumber: card.cardNumber,
            caCertificates,
            keys: keys.map((key) => ({ profile: key.profile, id: key.id, certificate: key.certificate! })),
          });
          release();
          return finished;
        } catch (error) {
          throw failed(error);
        }
      },
      async abandon() {
        // Leave no half-made keys on a chip that still answers: erase it and give it back its
        // transport SO PIN, labelled as a blank card (`blank-<card number>`), so that it is
        // taken again like any blank card (the failed card keeps no PUK). A chip that does not
        // answer keeps what it had: its card is failed, its certificates revoked.
        try {
          await reader.abandon({ serial, puk: card.puk, transportSoPin, label: `blank-${card.cardNumber}` });
        } finally {
          release();
        }
      },
    };
  }
}
