import pkcs11js from "pkcs11js";
import { describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { tokenError } from "./pkcs11-errors.js";

/** A failure as pkcs11js throws it: the CKR_* name and value (PKCS#11 v2.40 §11.1) in its message. */
const failure = (name: string, value: number) => new pkcs11js.Pkcs11Error(`${name}:${value}`);

describe("tokenError", () => {
  const token = { serial: "8706b6c3a1fc5786", label: "C-000042" };

  it.each([
    ["CKR_PIN_INCORRECT", 0xa0, "pkcs11.pin_incorrect"],
    ["CKR_PIN_LOCKED", 0xa4, "pkcs11.pin_blocked"],
    ["CKR_PIN_LEN_RANGE", 0xa2, "pkcs11.pin_rejected"],
    ["CKR_PIN_INVALID", 0xa1, "pkcs11.pin_rejected"],
    ["CKR_TOKEN_NOT_PRESENT", 0xe0, "pkcs11.card_removed"],
    ["CKR_DEVICE_REMOVED", 0x32, "pkcs11.card_removed"],
    ["CKR_GENERAL_ERROR", 0x05, "pkcs11.operation_failed"],
  ])("%s (%i) is %s, the card and the cause named", (name, value, code) => {
    const error = tokenError(failure(name, value), token, "Signing");
    expect(error.code).toBe(code);
    expect(error.message).toBe(`Signing on token 8706b6c3a1fc5786 ("C-000042") failed: ${name}.`);
    expect(error.details).toEqual({ serial: token.serial, cause: name });
  });

  // As the binding throws it where pkcs11js does not wrap it (C_CreateObject and two others).
  it("reads the name from a plain Error of the binding, and nothing from another Error", () => {
    const removed = tokenError(new Error("CKR_DEVICE_REMOVED:50"), token, "Writing");
    expect([removed.code, removed.details]).toEqual([
      "pkcs11.card_removed",
      { serial: token.serial, cause: "CKR_DEVICE_REMOVED" },
    ]);
    const other = tokenError(new Error("CKR_DEVICE_REMOVED happened"), token, "Writing");
    expect(other.code).toBe("pkcs11.operation_failed");
  });

  it("lets a TesseraError through unchanged", () => {
    const original = new TesseraError("pkcs11.key_not_found");
    expect(tokenError(original, token, "Signing")).toBe(original);
  });
});
