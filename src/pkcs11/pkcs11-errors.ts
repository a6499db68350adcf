import pkcs11js from "pkcs11js";
import { type ErrorCode, TesseraError } from "../domain/errors.js";

/** How a token is named in an error sentence: its serial, with its label when it has one. */
export interface TokenName {
  readonly serial: string;
  readonly label?: string | undefined;
}

/**
 * The module's return values that mean something to an operator, by CKR_* name; any other
 * value is `pkcs11.operation_failed`, still with its CKR_* name in the sentence.
 */
const codeOfReturnValue: Readonly<Record<string, ErrorCode>> = {
  CKR_PIN_INCORRECT: "pkcs11.pin_incorrect",
  CKR_PIN_LOCKED: "pkcs11.pin_blocked",
  CKR_PIN_INVALID: "pkcs11.pin_rejected",
  CKR_PIN_LEN_RANGE: "pkcs11.pin_rejected",
  CKR_TOKEN_NOT_PRESENT: "pkcs11.card_removed",
  CKR_TOKEN_NOT_RECOGNIZED: "pkcs11.card_removed",
  CKR_DEVICE_REMOVED: "pkcs11.card_removed",
  CKR_SLOT_ID_INVALID: "pkcs11.card_removed",
};

/**
 * The CKR_* name of a pkcs11js error, or undefined for anything else (a bug, a TypeError).
 * pkcs11js makes most failures a Pkcs11Error named so, but its own C_CreateObject,
 * C_SetAttributeValue and C_CopyObject let the binding's plain Error through, "CKR_NAME:value":
 * a card pulled out while its certificate was written was no CKR_DEVICE_REMOVED to the code.
 */
export function returnValueName(error: unknown): string | undefined {
  if (error instanceof pkcs11js.Pkcs11Error && error.message.startsWith("CKR_")) return error.message;
  return error instanceof Error ? /^(CKR_[A-Z0-9_]+):\d+$/.exec(error.message)?.[1] : undefined;
}

const nameOf = (token: TokenName) =>
  token.label ? `token ${token.serial} ("${token.label}")` : `token ${token.serial}`;

/**
 * The {@link TesseraError} for a failure of the module while `doing` something to `token`: a
 * stable code from the CKR_* value and a sentence naming the card and the cause, e.g. "Logging
 * in as user on token 1a2b… ("C-000042") failed: CKR_PIN_INCORRECT." A TesseraError passes through.
 */
export function tokenError(error: unknown, token: TokenName, doing: string): TesseraError {
  if (error instanceof TesseraError) return error;
  const name = returnValueName(error);
  const code = (name && codeOfReturnValue[name]) || "pkcs11.operation_failed";
  const cause = name ?? (error instanceof Error ? error.message : String(error));
  return new TesseraError(
    code,
    `${doing} on ${nameOf(token)} failed: ${cause}.`,
    { serial: token.serial, cause },
    { cause: error },
  );
}

/** Runs `step` and turns any failure into {@link tokenError}. */
export function onToken<T>(token: TokenName, doing: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw tokenError(error, token, doing);
  }
}
