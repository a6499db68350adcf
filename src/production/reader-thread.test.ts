import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { initialiseToken } from "../pkcs11/card-token.js";
import { loadPkcs11Module, type Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  softHsmModule,
  transportSoPin,
} from "../test-support/softhsm.js";
import { createReaderThread, type ReaderThread } from "./reader-thread.js";

/**
 * A reader's thread runs a card's PKCS#11 steps off the main thread; what a step throws there
 * must come back as what it was, since the chip encoder decides by the code (a blank card that
 * refuses the transport PIN is left alone, a removed card fails) and a batch item shows the
 * sentence.
 */
describe.runIf(hasSoftHsm())("a card reader's thread (SoftHSM)", () => {
  let reader: BlankCardReader;
  let module: Pkcs11Module;
  let thread: ReaderThread;

  beforeAll(() => {
    reader = createBlankCardReader(1);
    // The main thread loads (and initialises) the module before any reader's thread does.
    module = loadPkcs11Module(softHsmModule);
    thread = createReaderThread(softHsmModule);
  });
  afterAll(async () => {
    await thread?.close();
    module?.close();
    reader?.remove();
  });

  it("brings a chip's refusal back as the TesseraError it was: code, sentence and details", async () => {
    const [token] = (await thread.listTokens()).filter((candidate) => candidate.serial !== "");
    expect(token).toMatchObject({ label: "blank-1", serial: module.listTokens()[0]!.serial });
    expect(Buffer.isBuffer(token!.slot)).toBe(true);
    const refused = await thread
      .setUp({ serial: token!.serial, soPins: ["87654321"], label: "C-1", puk: "11223344", pin: "123456" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TesseraError);
    expect(refused).toMatchObject({
      code: "pkcs11.pin_incorrect",
      message: `Initialising the token as "C-1" on token ${token!.serial} ("blank-1") failed: CKR_PIN_INCORRECT.`,
      details: { serial: token!.serial, cause: "CKR_PIN_INCORRECT" },
    });
    expect((refused as Error).stack).toContain("in a reader thread");
    await expect(thread.findToken("no-such-serial")).rejects.toMatchObject({
      code: "pkcs11.token_not_found",
    });
    // A step out of order is a bug, not a card's refusal: an Error with its sentence.
    const profile = demoTemplates[0]!.profiles[0]!;
    const outOfOrder = await thread.generateKeyPair(profile).catch((error: unknown) => error);
    expect(outOfOrder).not.toBeInstanceOf(TesseraError);
    expect((outOfOrder as Error).message).toBe("no card is set up in this reader");
  });

  it("makes a card in the thread, and its key pairs come back as Buffers", async () => {
    const [token] = (await thread.listTokens()).filter((candidate) => candidate.serial !== "");
    await thread.setUp({
      serial: token!.serial,
      soPins: ["87654321", transportSoPin],
      label: "C-2",
      puk: "11223344",
      pin: "123456",
    });
    const profile = { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" } as const;
    const key = await thread.generateKeyPair(profile);
    expect(Buffer.isBuffer(key.id) && Buffer.isBuffer(key.spki)).toBe(true);
    expect(key.id).toHaveLength(20);
    await thread.abandon({ serial: token!.serial, puk: "11223344", transportSoPin, label: "blank-1" });
    // Wiped: the transport SO PIN opens it again, and it holds nothing.
    expect(reader.soPinOpens("blank-1", transportSoPin, "1234")).toBe(true);
    expect(reader.pkcs11Tool("--token-label", "blank-1", "--list-objects").trim()).toBe("");
  });

  it("wipes a chip erased for a card that stopped before the PUK became its SO PIN", async () => {
    const [token] = module.listTokens().filter((candidate) => candidate.serial !== "");
    // Erased and labelled for card C-3, still with the transport SO PIN: where a crash left it.
    initialiseToken(module, token!.serial, transportSoPin, "C-3");
    await thread.abandon({ serial: token!.serial, puk: "11223344", transportSoPin, label: "blank-1" });
    expect(module.findToken(token!.serial).label).toBe("blank-1");
    expect(reader.soPinOpens("blank-1", transportSoPin, "1234")).toBe(true);
  });

  it("refuses every step once closed", async () => {
    const other = createReaderThread(softHsmModule);
    expect(await other.listTokens()).not.toHaveLength(0);
    await other.close();
    await expect(other.listTokens()).rejects.toThrow(/closed/);
  });
});
