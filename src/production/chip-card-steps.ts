import { randomBytes, verify, X509Certificate } from "node:crypto";
import type { CertificateProfile, Pkcs11Encoder } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import {
  initialiseToken,
  openTokenSession,
  type TokenSession,
  unblockUserPin,
} from "../pkcs11/card-token.js";
import { keyUsagesOf } from "../pkcs11/key-pair-templates.js";
import { returnValueName } from "../pkcs11/pkcs11-errors.js";
import type { Pkcs11Module, TokenInfo } from "../pkcs11/pkcs11-module.js";
import { signatureAlgorithmFor } from "../pki/signer.js";

/**
 * The PKCS#11 work of the card in one reader: personalising it in the steps the chip encoder
 * takes it (`chip-encoder.ts`, which journals before each step), and the PIN work on a card
 * already personalised (`services/card-pin.ts`). Every call here may block its thread for as
 * long as the chip takes (a real card: hundreds of milliseconds to check a PIN, seconds to make
 * a key), so these steps run in the reader's own thread (`reader-worker.ts`), never on the main
 * thread that serves HTTP and renews leases.
 *
 * One card at a time: `setUp` opens the card's logged-in session, which the later steps use,
 * until `finish` or `abandon` closes it. The PIN steps open and close a session of their own;
 * whoever holds the reader runs one or the other, never both at once.
 */
export interface ChipCardSteps {
  listTokens(): TokenInfo[];
  findToken(serial: string): TokenInfo;
  /**
   * The blank tokens (not initialised, or labelled as `blankLabel` says) whose serial is not
   * among `excluded` nor its label among `reservedLabels`, in slot order: every slot read once.
   */
  blankTokens(search: BlankSearch): TokenInfo[];
  /**
   * The token `serial` as its slot holds it now, if it is still there and still blank as
   * {@link blankTokens} says: one slot read, where finding it by serial reads the slots before it.
   */
  blankTokenIn(
    token: { slot: Buffer; serial: string } & Omit<BlankSearch, "excluded">,
  ): TokenInfo | undefined;
  /**
   * Erases the token with the first of `soPins` it takes (each wrong one costs a real card one of
   * its SO tries: try few), labels it, makes `puk` its SO PIN and `pin` its user PIN, and logs in
   * as the user. @throws TesseraError `pkcs11.pin_incorrect` when it takes none of them.
   */
  setUp(card: { serial: string; soPins: readonly string[]; label: string; puk: string; pin: string }): void;
  generateKeyPair(profile: CertificateProfile): Promise<{ id: Buffer; spki: Buffer }>;
  writeCertificate(certificate: { der: Buffer; label: string; id?: Buffer | undefined }): void;
  /**
   * Writes the CA chain, has each signing key sign a challenge checked against its certificate,
   * and logs out.
   */
  finish(card: {
    cardNumber: string;
    caCertificates: readonly Buffer[];
    keys: readonly { profile: CertificateProfile; id: Buffer; certificate: Buffer }[];
  }): { tokenSerial: string };
  /**
   * Closes the card's session and, where the chip still answers, erases it and gives it back the
   * transport SO PIN, labelled `label`: no half-made keys stay on it.
   */
  abandon(card: { serial: string; puk: string; transportSoPin: string; label: string }): void;
  /**
   * Sets `newPin` on the personalised token `serial` with its PUK, the way its card type
   * unblocks (`style`): the PIN's retry counter starts again. The PINs are in no error thrown.
   */
  unblockPin(card: {
    serial: string;
    puk: string;
    newPin: string;
    style: Pkcs11Encoder["unblockStyle"];
  }): void;
  /** Logs in to the token `serial` with `oldPin` and changes it to `newPin` (C_SetPIN). */
  changePin(card: { serial: string; oldPin: string; newPin: string }): void;
  /**
   * Logs in to the token `serial` as the security officer with `puk` and makes `newPuk` its SO
   * PIN (C_SetPIN): a PUK a desk was given stops working. The PUKs are in no error thrown.
   */
  changePuk(card: { serial: string; puk: string; newPuk: string }): void;
}

/** What makes a token a blank card to take. */
export interface BlankSearch {
  readonly blankLabel: string;
  readonly excluded: readonly string[];
  readonly reservedLabels: readonly string[];
}

function isBlank(token: TokenInfo, search: BlankSearch): boolean {
  return (
    token.serial !== "" &&
    (!token.isInitialised || new RegExp(search.blankLabel).test(token.label)) &&
    !search.excluded.includes(token.serial) &&
    !search.reservedLabels.includes(token.label)
  );
}

export function createChipCardSteps(module: Pkcs11Module): ChipCardSteps {
  let session: TokenSession | undefined;
  const closeSession = () => {
    const open = session;
    session = undefined;
    try {
      open?.close();
    } catch {
      // A card pulled out has no session left to close.
    }
  };
  const current = (): TokenSession => {
    if (!session) throw new Error("no card is set up in this reader");
    return session;
  };

  /**
   * Erases the token `serial` and labels it `label`, with the first of `soPins` it takes as its
   * SO PIN; that one is returned. Only a wrong PIN moves on to the next.
   */
  const initialiseWithOneOf = (serial: string, soPins: readonly string[], label: string): string => {
    for (const [index, soPin] of soPins.entries()) {
      try {
        initialiseToken(module, serial, soPin, label);
        return soPin;
      } catch (error) {
        const wrong = error instanceof TesseraError && error.code === "pkcs11.pin_incorrect";
        if (!wrong || index === soPins.length - 1) throw error;
      }
    }
    throw new Error("erasing a chip needs at least one SO PIN");
  };

  return {
    listTokens: () => module.listTokens(),
    findToken: (serial) => module.findToken(serial),
    blankTokens: (search) => module.listTokens().filter((token) => isBlank(token, search)),
    blankTokenIn({ slot, serial, ...search }) {
      const token = module.tokenIn(slot);
      return token?.serial === serial && isBlank(token, { ...search, excluded: [] }) ? token : undefined;
    },
    setUp({ serial, soPins, label, puk, pin }) {
      closeSession();
      const soPin = initialiseWithOneOf(serial, soPins, label);
      const so = openTokenSession(module, serial, { as: "so", pin: soPin });
      try {
        if (soPin !== puk) so.changePin(soPin, puk);
        so.setUserPin(pin);
      } finally {
        so.close();
      }
      session = openTokenSession(module, serial, { as: "user", pin });
    },
    async generateKeyPair(profile) {
      const { id, spki } = await current().generateKeyPair(profile);
      return { id, spki };
    },
    writeCertificate(certificate) {
      current().writeCertificate(certificate);
    },
    finish({ cardNumber, caCertificates, keys }) {
      const card = current();
      caCertificates.forEach((der, index) => {
        card.writeCertificate({ der, label: index === 0 ? "CA" : `CA ${index + 1}` });
      });
      for (const key of keys) verifyKeyOnCard(card, key, cardNumber);
      closeSession();
      return { tokenSerial: card.token.serial };
    },
    abandon({ serial, puk, transportSoPin, label }) {
      closeSession();
      try {
        // The chip has the PUK as its SO PIN, or still the transport PIN when the card stopped
        // after erasing it and before the PUK was set: then it kept the card number as its label.
        const soPin = initialiseWithOneOf(serial, [puk, transportSoPin], label);
        const so = openTokenSession(module, serial, { as: "so", pin: soPin });
        try {
          if (soPin !== transportSoPin) so.changePin(soPin, transportSoPin);
        } finally {
          so.close();
        }
      } catch (error) {
        // A chip that does not answer keeps what it had: its card is failed, its certificates
        // revoked.
        if (!(error instanceof TesseraError) && returnValueName(error) === undefined) throw error;
      }
    },
    unblockPin({ serial, puk, newPin, style }) {
      if (style === "soLogin") {
        unblockUserPin(module, serial, puk, newPin);
        return;
      }
      // OpenSC's unblock style 2: C_SetPIN with the PUK as the old PIN, in a session without login.
      const open = openTokenSession(module, serial);
      try {
        open.changePin(puk, newPin);
      } finally {
        open.close();
      }
    },
    changePin({ serial, oldPin, newPin }) {
      const holder = openTokenSession(module, serial, { as: "user", pin: oldPin });
      try {
        holder.changePin(oldPin, newPin);
      } finally {
        holder.close();
      }
    },
    changePuk({ serial, puk, newPuk }) {
      const so = openTokenSession(module, serial, { as: "so", pin: puk });
      try {
        so.changePin(puk, newPuk);
      } finally {
        so.close();
      }
    },
  };
}

/**
 * The chip signs a random challenge with the key of `id`, checked with the certificate's public
 * key: the certificate and the key on the card belong together and the key works. A key that may
 * not sign (an EC encryption key) is checked by its public half, which the certificate carries.
 */
function verifyKeyOnCard(
  session: TokenSession,
  key: { profile: CertificateProfile; id: Buffer; certificate: Buffer },
  cardNumber: string,
): void {
  const { profile, id, certificate } = key;
  if (!keyUsagesOf(profile).sign) return;
  const challenge = randomBytes(32);
  const signature = session.sign(id, profile.keyAlgorithm, challenge);
  const { publicKey } = new X509Certificate(certificate);
  const { hash } = signatureAlgorithmFor(profile.keyAlgorithm);
  if (!verify(hash, challenge, { key: publicKey, dsaEncoding: "der" }, signature))
    throw new TesseraError(
      "pkcs11.operation_failed",
      `Card ${cardNumber}: the ${profile.name} key on the chip signed a challenge that its certificate does not verify.`,
      { cardNumber },
    );
}
