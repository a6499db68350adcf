import pkcs11js from "pkcs11js";
import { TesseraError } from "../domain/errors.js";
import { returnValueName, tokenError } from "./pkcs11-errors.js";

/** A token a reader holds, as the module describes it. */
export interface TokenInfo {
  /** Valid until the module is re-initialised or the token is initialised: never an identity. */
  readonly slot: pkcs11js.Handle;
  /** The token's identity: it survives C_InitToken, which moves SoftHSM tokens to another slot. */
  readonly serial: string;
  readonly label: string;
  readonly model: string;
  readonly manufacturer: string;
  /** CKF_TOKEN_INITIALIZED: a factory-fresh card has it false. */
  readonly isInitialised: boolean;
  readonly isUserPinInitialised: boolean;
  readonly isLoginRequired: boolean;
  /** The PIN lengths the token accepts (CK_TOKEN_INFO ulMinPinLen, ulMaxPinLen). */
  readonly pinLength: { readonly min: number; readonly max: number };
}

/** A loaded and initialised PKCS#11 module (a card middleware or an HSM library). */
export interface Pkcs11Module {
  readonly path: string;
  /** The pkcs11js binding, for the token operations of card-token.ts. */
  readonly api: pkcs11js.PKCS11;
  /** The tokens present in the readers now. */
  listTokens(): TokenInfo[];
  /** The token with this serial; `pkcs11.token_not_found` when no reader holds it. */
  findToken(serial: string): TokenInfo;
  /**
   * The first token, in slot order, that `match` accepts, reading no further slot once found: a
   * station's readers hold dozens of cards, and reading each one's information takes time.
   */
  firstToken(match: (token: TokenInfo) => boolean): TokenInfo | undefined;
  /** The token in `slot` now (one slot read), or undefined when the slot holds none. */
  tokenIn(slot: pkcs11js.Handle): TokenInfo | undefined;
  /**
   * C_Finalize then C_Initialize: a module lists only the tokens that existed when it was
   * initialised (SoftHSM reads its token folder then), so tokens created later need this.
   * Every open session is closed.
   */
  reinitialise(): void;
  /** C_Finalize and unload. Only on the thread that loaded it. */
  close(): void;
}

/** The text fields of CK_TOKEN_INFO are blank-padded to fixed widths. */
const trimmed = (text: string) => text.replace(/[\s\0]+$/, "");

function initialise(api: pkcs11js.PKCS11, path: string): void {
  try {
    api.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    // Another part of this process (a worker thread) initialised the same library first: the
    // library is one per process, so that is the state we wanted.
    if (returnValueName(error) === "CKR_CRYPTOKI_ALREADY_INITIALIZED") return;
    throw unavailable(path, error);
  }
}

function unavailable(path: string, error: unknown): TesseraError {
  const cause = returnValueName(error) ?? (error instanceof Error ? error.message : String(error));
  return new TesseraError(
    "pkcs11.module_unavailable",
    `The PKCS#11 module ${path} cannot be loaded or initialised: ${cause}.`,
    { path, cause },
    { cause: error },
  );
}

/**
 * Loads the PKCS#11 library at `path` and initialises it. Do this once per process, on the
 * main thread, before worker threads load the same library: two threads initialising at once
 * crashed SoftHSM (DEPENDENCIES.md, "SoftHSM2 facts"). For SoftHSM, SOFTHSM2_CONF must already
 * be set.
 *
 * @throws TesseraError `pkcs11.module_unavailable` naming the path and the cause.
 */
export function loadPkcs11Module(path: string): Pkcs11Module {
  const api = new pkcs11js.PKCS11();
  try {
    api.load(path);
  } catch (error) {
    throw unavailable(path, error);
  }
  initialise(api, path);

  const slotList = (): pkcs11js.Handle[] => {
    try {
      return api.C_GetSlotList(true);
    } catch (error) {
      throw unavailable(path, error);
    }
  };

  /** The tokens in slot order, each read when asked for, its slot remembered. */
  function* tokens(): Generator<TokenInfo> {
    for (const slot of slotList()) {
      const token = readToken(slot);
      if (!token) continue;
      if (token.serial !== "") lastSlot.set(token.serial, slot);
      yield token;
    }
  }

  const firstToken = (match: (token: TokenInfo) => boolean): TokenInfo | undefined => {
    for (const token of tokens()) if (match(token)) return token;
    return undefined;
  };

  /** The token in `slot`, or undefined when the slot has none (any longer). */
  const readToken = (slot: pkcs11js.Handle): TokenInfo | undefined => {
    let info: pkcs11js.TokenInfo;
    try {
      info = api.C_GetTokenInfo(slot);
    } catch (error) {
      // A card pulled between the slot list and this call is simply no longer present.
      const name = returnValueName(error);
      if (name === "CKR_TOKEN_NOT_PRESENT" || name === "CKR_DEVICE_REMOVED" || name === "CKR_SLOT_ID_INVALID")
        return undefined;
      throw tokenError(error, { serial: `in slot ${slot.toString("hex")}` }, "Reading the token information");
    }
    return {
      slot,
      serial: trimmed(info.serialNumber),
      label: trimmed(info.label),
      model: trimmed(info.model),
      manufacturer: trimmed(info.manufacturerID),
      isInitialised: (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0,
      isUserPinInitialised: (info.flags & pkcs11js.CKF_USER_PIN_INITIALIZED) !== 0,
      isLoginRequired: (info.flags & pkcs11js.CKF_LOGIN_REQUIRED) !== 0,
      pinLength: { min: info.minPinLen, max: info.maxPinLen },
    };
  };

  /**
   * Where each token was last found. A station's readers hold dozens of cards and every step of
   * a card looks its token up: asking the remembered slot first costs one C_GetTokenInfo instead
   * of one per slot (SoftHSM moves a token to another slot when it is initialised: then the
   * slots are searched again).
   */
  const lastSlot = new Map<string, pkcs11js.Handle>();

  return {
    path,
    api,
    listTokens: () => [...tokens()],
    firstToken,
    tokenIn(slot) {
      const token = readToken(slot);
      if (token?.serial) lastSlot.set(token.serial, slot);
      return token;
    },
    findToken(serial) {
      const remembered = lastSlot.get(serial);
      const there = remembered && readToken(remembered);
      if (there?.serial === serial) return there;
      lastSlot.delete(serial);
      const token = firstToken((candidate) => candidate.serial === serial);
      if (!token)
        throw new TesseraError("pkcs11.token_not_found", `No reader of ${path} holds token ${serial}.`, {
          serial,
          path,
        });
      return token;
    },
    reinitialise() {
      lastSlot.clear();
      try {
        api.C_Finalize();
      } catch (error) {
        throw unavailable(path, error);
      }
      initialise(api, path);
    },
    close() {
      try {
        api.C_Finalize();
      } catch (error) {
        // The library is one per process: another holder of it here (the CA's token beside the
        // station's cards) may have finalised it first.
        if (returnValueName(error) !== "CKR_CRYPTOKI_NOT_INITIALIZED") throw error;
      }
      api.close();
    },
  };
}
