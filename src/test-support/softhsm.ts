import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { hasTool } from "./tools.js";

/** Where Debian's softhsm2 package puts the module. */
export const softHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

/** The transport PINs a card type's blank cards leave the factory with. */
export const transportSoPin = "12345678";
export const transportUserPin = "1234";

/** Whether SoftHSM and OpenSC's pkcs11-tool are here; under CI their absence fails the suite. */
export function hasSoftHsm(): boolean {
  return hasTool("softhsm2-util", "softhsm2") && hasTool("pkcs11-tool", "opensc");
}

/** A SoftHSM "reader" holding blank cards, private to one test file. */
export interface BlankCardReader {
  /** The SOFTHSM2_CONF file pointing at this reader's own token folder. */
  readonly conf: string;
  /** The card labels, `blank-1` … `blank-N`. */
  readonly labels: string[];
  /** Adds another blank card (the module sees it after re-initialisation). */
  addCard(label: string): void;
  /** Runs OpenSC's `pkcs11-tool` on this reader's module; returns stdout. */
  pkcs11Tool(...args: string[]): string;
  /** The private keys on the token labelled `label`, as `pkcs11-tool` lists them to its user. */
  privateKeyObjects(label: string): string;
  /**
   * Whether `soPin` logs in as security officer on the token labelled `label`, as `pkcs11-tool`
   * finds out: it then sets the user PIN to `userPin` (C_InitPIN needs a read-write SO session;
   * give the PIN the token has when it must stay as it is).
   */
  soPinOpens(label: string, soPin: string, userPin: string): boolean;
  /** Whether `soPin` logs in as security officer on the token labelled `label`, changing nothing. */
  soPinWorks(label: string, soPin: string): boolean;
  /**
   * Whether `pin` logs in as user on the token labelled `label`, as `pkcs11-tool` finds out in a
   * process of its own: false for CKR_PIN_INCORRECT, any other failure thrown.
   */
  pinOpens(label: string, pin: string): boolean;
  /** Removes the token folder. */
  remove(): void;
}

/**
 * Makes a reader with `count` blank cards: a token folder in tmpfs when there is one (SoftHSM is
 * about 4× slower on disk), its own SOFTHSM2_CONF, set in this process's environment before
 * any module is initialised (SoftHSM reads it in C_Initialize), and `count` tokens initialised
 * with the transport SO PIN and user PIN, as a card vendor delivers them.
 */
export function createBlankCardReader(count: number): BlankCardReader {
  const base = mkdtempSync(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "tessera-softhsm-"));
  const tokens = path.join(base, "tokens");
  mkdirSync(tokens);
  const conf = path.join(base, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const labels: string[] = [];
  const addCard = (label: string) => {
    execFileSync(
      "softhsm2-util",
      ["--init-token", "--free", "--label", label, "--so-pin", transportSoPin, "--pin", transportUserPin],
      { env, stdio: "pipe" },
    );
    labels.push(label);
  };
  for (let i = 1; i <= count; i++) addCard(`blank-${i}`);
  const pkcs11Tool = (...args: string[]) =>
    execFileSync("pkcs11-tool", ["--module", softHsmModule, ...args], {
      env,
      encoding: "utf8",
      stdio: "pipe",
    });
  /** Whether `pkcs11-tool` logs in as security officer with `soPin` and then does `then`. */
  const asSecurityOfficer = (label: string, soPin: string, ...then: string[]) =>
    spawnSync(
      "pkcs11-tool",
      [
        "--module",
        softHsmModule,
        "--token-label",
        label,
        "--login",
        "--login-type",
        "so",
        "--so-pin",
        soPin,
        ...then,
      ],
      { env, stdio: "pipe" },
    ).status === 0;
  const listPrivateKeysAsUser = ["--login", "--pin", transportUserPin, "--list-objects", "--type", "privkey"];
  return {
    conf,
    labels,
    addCard,
    pkcs11Tool,
    privateKeyObjects: (label) => pkcs11Tool("--token-label", label, ...listPrivateKeysAsUser),
    soPinOpens: (label, soPin, userPin) =>
      asSecurityOfficer(label, soPin, "--init-pin", "--new-pin", userPin),
    // C_SetPIN of the SO PIN to itself: a login as SO that changes nothing.
    soPinWorks: (label, soPin) => asSecurityOfficer(label, soPin, "--change-pin", "--new-pin", soPin),
    pinOpens(label, pin) {
      try {
        pkcs11Tool("--token-label", label, "--login", "--pin", pin, "--list-objects");
        return true;
      } catch (error) {
        if (/CKR_PIN_INCORRECT/.test(String((error as { stderr?: unknown }).stderr ?? ""))) return false;
        throw error;
      }
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * For a suite of SoftHSM tests: before its tests (and before they initialise any module: SoftHSM
 * reads its token folder in C_Initialize), a reader of `count` blank cards and the tokens
 * `labels`; after them, removed. Read `reader` inside the tests, once the suite has started.
 */
export function blankCardReaderForSuite(
  count: number,
  labels: readonly string[] = [],
): { readonly reader: BlankCardReader } {
  let reader: BlankCardReader | undefined;
  beforeAll(() => {
    reader = createBlankCardReader(count);
    for (const label of labels) reader.addCard(label);
  });
  afterAll(() => reader?.remove());
  return {
    get reader() {
      if (!reader) throw new Error("the reader is made before the suite's tests");
      return reader;
    },
  };
}
