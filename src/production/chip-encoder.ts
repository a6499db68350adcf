import type { CertificateProfile, Pkcs11Encoder } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { TokenInfo } from "../pkcs11/pkcs11-module.js";
import { type CardEncoder, CardNotWanted, type CardToWrite, type CardWriting } from "./card-encoder.js";
import type { ReaderSlots, TakenReader } from "./reader-slots.js";
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
  /**
   * Forget the card's token: it was left untouched (it refused the transport PIN), or it is a
   * chip an interrupted card was on that no longer answers, set aside.
   */
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
  /**
   * The certificate profiles of every card, in the order their key pairs are asked for. Given,
   * each key pair is sent to the chip as soon as the one before it is made (the first right
   * behind the set-up), so the chip makes it while this thread signs and journals the
   * certificate before it, instead of waiting for that round trip.
   */
  readonly profiles?: readonly CertificateProfile[];
  /**
   * False once this producer may touch no further chip (its chunk's lease is lost): then no key
   * pair is sent ahead. The steps asked for stop at the journal, which checks the same.
   */
  readonly mayTouchChips?: () => boolean;
  /**
   * Told when a card starts waiting for a blank card (none is left in the readers), for the
   * station's log and the batch page, and when it stops (one was found, or it failed).
   */
  readonly onWaitingForBlankCard?: (cardNumber: string, seconds: number) => void;
  readonly onDoneWaitingForBlankCard?: (cardNumber: string) => void;
  /** Told when the chip an interrupted card was on is set aside and the card made on another. */
  readonly onChipSetAside?: (cardNumber: string, serial: string, cause: string) => void;
  /**
   * False once the card's batch no longer wants it made (cancelled): a card waiting for a blank
   * card then stops waiting and is released (`CardNotWanted`). Asked at each look while it waits.
   */
  readonly stillWanted?: () => Promise<boolean>;
  /**
   * True once the station is stopping: a card waiting for a blank card stops waiting and its
   * chunk is given back (not the card's failure), to be produced after the restart.
   */
  readonly stopping?: () => boolean;
}

/**
 * A card that was only waiting for a blank card when its station stopped: not the card's failure
 * nor the chunk's, which is given back as if it had not been taken.
 */
export class StoppedWaiting extends Error {
  override readonly name = "StoppedWaiting";
}

/** A card's reader, which it gives back between its looks while it waits for a blank card. */
interface HeldReader {
  taken: TakenReader;
}

/** How often a card waiting for a blank card looks through the readers again. */
const blankCardLookMs = 1000;

/**
 * The PKCS#11 card encoder: the keys are generated on the chip and never leave it, the PUK
 * becomes the chip's SO PIN and the PIN its user PIN. The order survives a crash anywhere:
 *
 * 1. a blank token is journalled to the card with the PUK, before it is touched;
 * 2. it is initialised (erased) with its transport SO PIN — or, redoing an interrupted card,
 *    with whichever of the transport PIN and the journalled PUK it has — and labelled with the
 *    card number; the SO PIN becomes the PUK, then the PIN is set. An interrupted card whose
 *    chip is gone or no longer answers is made on the next blank card instead;
 * 3. per profile a key pair is generated on the chip (sensitive, never extractable, only the
 *    profile's usages, CKA_ID = SHA-1 of the public key as OpenSC's tools expect); its
 *    certificate is journalled, then written beside it;
 * 4. the CA chain is written, each signing key signs a challenge that is checked against its
 *    certificate, and the session is logged out.
 *
 * The journal is written on this thread before each step; the steps themselves
 * (`chip-card-steps.ts`) run in the thread of the card's reader, so a slow chip blocks neither
 * the main thread nor the other readers. The reader runs a card's steps in the order they are
 * sent, so a step that needs nothing from this thread is sent without waiting for the one before
 * (the first key pair behind the set-up, the next key pair as soon as one is made, a
 * certificate's write once journalled): the chip does not wait on this thread's round trips
 * while it signs and journals (issue 10's bench: 25–90 ms a card outside the module).
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
    held: HeldReader,
    card: { cardId: string; cardNumber: string; pukEncrypted: string },
  ) {
    const reservedLabels = options.reservedLabels ?? [];
    // Reading a slot's token information is what looking for a blank card costs, and a station's
    // readers hold dozens of cards: a look before every card read half the slots on average.
    // One look serves the cards that follow (of every chunk: the readers keep what it found),
    // each taking the next blank token left and reading only its slot again.
    const { blankTokens } = readers;
    const look = async (taken?: ReadonlySet<string>) => {
      taken ??= await journal.takenTokens();
      const found = await held.taken.thread.blankTokens({
        blankLabel: settings.blankLabel,
        excluded: [...taken, ...picking, ...refusedTokens, ...readers.setAside],
        reservedLabels,
      });
      return found.filter((token) => !picking.has(token.serial));
    };
    for (;;) {
      const taken = await journal.takenTokens();
      const left = blankTokens.filter(
        (token) =>
          !taken.has(token.serial) &&
          !picking.has(token.serial) &&
          !refusedTokens.has(token.serial) &&
          !readers.setAside.has(token.serial),
      );
      blankTokens.splice(0, blankTokens.length, ...left);
      if (blankTokens.length === 0) {
        let found = await look(taken);
        if (found.length === 0) found = await waitForBlankCard(card, held, () => look());
        // Another card may have looked meanwhile: this look replaces its, less what was picked since.
        blankTokens.splice(0, blankTokens.length, ...found.filter((token) => !picking.has(token.serial)));
        if (blankTokens.length === 0) continue;
      }
      const listed = blankTokens.shift();
      if (!listed) continue;
      picking.add(listed.serial);
      try {
        // Personalised, wiped or taken out since the look: read again right before it is journalled.
        const token = await held.taken.thread.blankTokenIn({
          slot: listed.slot,
          serial: listed.serial,
          blankLabel: settings.blankLabel,
          reservedLabels,
        });
        if (token && (await journal.start({ ...card, tokenSerial: token.serial }))) return token;
      } finally {
        picking.delete(listed.serial);
      }
    }
  }

  /**
   * Looks again until blank cards are put in the readers, for as long as the template says; then
   * the card fails. Each card waits its own template's time: a station whose hopper runs empty
   * holds its batches until it is refilled, rather than failing their cards one after the other.
   */
  async function waitForBlankCard(
    card: { cardNumber: string },
    held: HeldReader,
    look: () => Promise<TokenInfo[]>,
  ): Promise<TokenInfo[]> {
    const waitMs = settings.blankCardWaitSeconds * 1000;
    const none = (why: string, then = "put blank cards in the readers and produce the card again") =>
      new TesseraError(
        "pkcs11.no_blank_card",
        `No blank card is left in the readers of ${settings.module} for card ${card.cardNumber}${why}: ${then}.`,
        { cardNumber: card.cardNumber, path: settings.module },
      );
    if (waitMs === 0) throw none("");
    // A cancelled batch's cards still to be made do not wait: each is released at its first look.
    const cancelled = () =>
      new CardNotWanted(
        `Card ${card.cardNumber} waited for a blank card when its batch was cancelled: it was not made.`,
      );
    if ((await options.stillWanted?.()) === false) throw cancelled();
    const until = Date.now() + waitMs;
    readers.waitingForBlankCard++;
    options.onWaitingForBlankCard?.(card.cardNumber, settings.blankCardWaitSeconds);
    try {
      for (;;) {
        // The reader is free between looks: a PIN process or another card's chip may use it.
        held.taken.release();
        await new Promise((resolve) => setTimeout(resolve, Math.min(blankCardLookMs, waitMs / 4)));
        held.taken = await readers.take();
        if (options.stopping?.())
          throw new StoppedWaiting(
            `card ${card.cardNumber} stopped waiting for a blank card: the station is stopping`,
          );
        // Its chunk was taken over: the card is the other producer's now.
        if (options.mayTouchChips?.() === false)
          throw new Error(
            `card ${card.cardNumber} stopped waiting for a blank card: its chunk's lease is lost`,
          );
        const found = await look();
        if (found.length > 0) return found;
        if ((await options.stillWanted?.()) === false) throw cancelled();
        if (Date.now() >= until) throw none(` after waiting ${settings.blankCardWaitSeconds} s for one`);
      }
    } finally {
      readers.waitingForBlankCard--;
      options.onDoneWaitingForBlankCard?.(card.cardNumber);
    }
  }

  return {
    async begin(card) {
      const held: HeldReader = { taken: await readers.take() };
      try {
        return await beginCard(card, held);
      } catch (error) {
        held.taken.release();
        throw error;
      }
    },
  };

  async function beginCard(card: CardToWrite, held: HeldReader): Promise<CardWriting> {
    const named = (error: unknown) => {
      if (error instanceof TesseraError && !error.message.startsWith(`Card ${card.cardNumber}`))
        return new TesseraError(error.code, `Card ${card.cardNumber}: ${error.message}`, error.details, {
          cause: error,
        });
      return error;
    };
    const notTried = (refusal: TesseraError) =>
      new TesseraError(
        "pkcs11.pin_incorrect",
        `Card ${card.cardNumber} was not tried: ${refusal.message} Set ${settings.transportSoPinEnv} to the transport SO PIN of these blank cards on the production station and produce the card again.`,
        { cardNumber: card.cardNumber },
      );
    if (transportRefused && !card.resumeOnToken) throw notTried(transportRefused);
    /** The chip an interrupted attempt journalled for the card, until it proves unusable. */
    let resumeOn = card.resumeOnToken;
    for (;;) {
      let token: TokenInfo;
      try {
        if (resumeOn) token = await held.taken.thread.findToken(resumeOn);
        else {
          if (transportRefused) throw notTried(transportRefused);
          token = await takeBlankToken(held, card);
        }
        checkPinFits(token);
      } catch (error) {
        if (await setAsideIfGone(error)) continue;
        // Looking for a blank card says whose card it is itself.
        throw resumeOn ? named(error) : error;
      }
      // The card's reader from here on: waiting for a blank card may have changed it.
      const { thread: reader, release } = held.taken;
      try {
        const settingUp = setUp(reader, token, resumeOn !== undefined);
        // Sent right behind the set-up; a set-up that fails fails it too, and it is not asked for.
        const firstKey = keyAhead(reader, 0);
        await settingUp;
        return writeCard(reader, token.serial, card, release, firstKey);
      } catch (error) {
        if (await setAsideIfGone(error)) continue;
        // A card labelled like a blank one that refuses the transport PIN may be another's card
        // put in the wrong reader: it is left alone and the next blank card taken. A second one
        // refusing it says the station's setting is wrong: then no further card is tried.
        const refused = error instanceof TesseraError && error.code === "pkcs11.pin_incorrect";
        if (!refused || resumeOn || !token.isInitialised) throw named(error);
        refusedTokens.add(token.serial);
        await journal.release(card.cardId);
        if (refusedTokens.size >= 2) {
          transportRefused = error;
          throw named(error);
        }
      }
    }

    /** The card's PIN must suit the chip as well as the template. */
    function checkPinFits(token: TokenInfo): void {
      if (card.pin.length < token.pinLength.min || card.pin.length > token.pinLength.max)
        throw new TesseraError(
          "pkcs11.pin_rejected",
          `Card ${card.cardNumber}: its chip (token ${token.serial}) takes PINs of ${token.pinLength.min} to ${token.pinLength.max} digits, not ${card.pin.length}.`,
          { cardNumber: card.cardNumber, serial: token.serial },
        );
    }

    /**
     * Whether `error` says the chip an interrupted attempt journalled is gone from the readers or
     * no longer answers (a crash mid-write can leave a chip so). Then it is set aside, never to
     * be taken again by this station, the certificates signed for it were revoked when the chunk
     * resumed, and the card is to be made on the next blank card, as if the attempt had not begun.
     */
    async function setAsideIfGone(error: unknown): Promise<boolean> {
      if (!resumeOn || !isChipGone(error, resumeOn)) return false;
      // A producer that lost the chunk may have failed on the chip because the new owner is
      // redoing it there: the chip and its journal are the other producer's.
      if (options.mayTouchChips?.() === false) throw error;
      readers.setAside.add(resumeOn);
      await journal.release(card.cardId);
      const cause = error instanceof Error ? error.message : String(error);
      options.onChipSetAside?.(card.cardNumber, resumeOn, cause);
      resumeOn = undefined;
      return true;
    }

    /** Erases and labels the chip, gives it the PUK and PIN, and logs in as the user. */
    function setUp(reader: ReaderThread, token: TokenInfo, resumed: boolean): Promise<void> {
      // Erase and label it. A factory-fresh chip takes the PUK as its first SO PIN; an
      // interrupted one has the transport PIN or, past that step, the PUK already.
      const soPins = !token.isInitialised
        ? [card.puk]
        : resumed
          ? [card.puk, transportSoPin]
          : [transportSoPin];
      return reader.setUp({
        serial: token.serial,
        soPins,
        label: card.cardNumber,
        puk: card.puk,
        pin: card.pin,
      });
    }
  }

  /** A key pair made ahead: the place in `profiles` it is for, and its making. */
  type KeyAhead = { index: number; key: Promise<{ id: Buffer; spki: Buffer }> };

  /** Sends the key pair of `profiles[index]` to the reader now, if there is such a profile. */
  function keyAhead(reader: ReaderThread, index: number): KeyAhead | undefined {
    const profile = options.profiles?.[index];
    if (!profile || options.mayTouchChips?.() === false) return undefined;
    const key = reader.generateKeyPair(profile);
    // Awaited when its profile's key pair is asked for; a card that fails before never asks.
    key.catch(() => undefined);
    return { index, key };
  }

  function writeCard(
    reader: ReaderThread,
    serial: string,
    card: { cardId: string; cardNumber: string; puk: string },
    release: () => void,
    firstKey: KeyAhead | undefined,
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
    let ahead = firstKey;
    /**
     * The certificates' writes to the chip. The card's next step is sent to the reader without
     * waiting for a write's answer (the reader runs a card's steps in the order sent), so the
     * reader goes on without a round trip through this thread; a failed write fails `finish`.
     */
    const writes: Promise<void>[] = [];
    return {
      async generateKeyPair(profile) {
        try {
          const index = keys.length;
          let making: Promise<{ id: Buffer; spki: Buffer }>;
          if (ahead) {
            if (ahead.index !== index || options.profiles?.[index]?.name !== profile.name)
              throw new Error("key pairs are asked for in the order of the encoder's profiles");
            making = ahead.key;
          } else making = reader.generateKeyPair(profile);
          ahead = undefined;
          const key = await making;
          keys.push({ id: key.id, profile });
          ahead = keyAhead(reader, index + 1);
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
        const writing = reader.writeCertificate({ der: key.certificate, label: profile.name, id: key.id });
        // Awaited by `finish`; until then its failure is not an unhandled one.
        writing.catch(() => undefined);
        writes.push(writing);
      },
      async finish() {
        try {
          const finishing = reader.finish({
            cardNumber: card.cardNumber,
            caCertificates,
            keys: keys.map((key) => ({ profile: key.profile, id: key.id, certificate: key.certificate! })),
          });
          finishing.catch(() => undefined);
          await Promise.all(writes);
          const finished = await finishing;
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

/**
 * The chip `serial` itself is not in any reader, was pulled out, or answered a call with a
 * failure of the module (a CKR_* value, as a damaged chip does). Not a failure of another slot
 * read on the way, nor one of this code (a TypeError wrapped as operation_failed names no CKR_*).
 */
function isChipGone(error: unknown, serial: string): boolean {
  if (!(error instanceof TesseraError)) return false;
  const details = error.details as { serial?: unknown; cause?: unknown } | undefined;
  if (details?.serial !== serial) return false;
  if (error.code === "pkcs11.token_not_found" || error.code === "pkcs11.card_removed") return true;
  return (
    error.code === "pkcs11.operation_failed" &&
    typeof details.cause === "string" &&
    details.cause.startsWith("CKR_")
  );
}
