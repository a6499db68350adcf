import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { hasSoftHsm, softHsmModule } from "./softhsm.js";
import { hasTool } from "./tools.js";

/**
 * A card middleware for tests that is slow or fails where a real card is and SoftHSM is not
 * (`simulated-card.c`): a PKCS#11 module over SoftHSM, built here with gcc. It acts in the C
 * library itself, so it behaves alike whichever thread or process calls it, and its call log
 * names the OS thread of each call, seen from outside Tessera's code.
 */
export interface SimulatedCardModule {
  /** The module's path, for a template's `pkcs11.module`. */
  readonly path: string;
  /**
   * From now on, these calls are slowed or fail, and the card is as `card` says; replaces what
   * was simulated before.
   */
  simulate(rules: readonly SimulatedCall[], card?: SimulatedCard): void;
  /** Runs `work` with these calls and card simulated, and a plain card again however it ends. */
  during<T>(rules: readonly SimulatedCall[], work: () => Promise<T>, card?: SimulatedCard): Promise<T>;
  /** The calls made since {@link clearLog}, in the order they ended. */
  calls(): LoggedCall[];
  clearLog(): void;
  remove(): void;
}

export interface SimulatedCall {
  /** E.g. `C_Login`, `C_GenerateKeyPair` (the C function: the async binding calls it too). */
  readonly call: string;
  /** Calls let through before the rule applies; default 0. */
  readonly skip?: number;
  /** Calls the rule applies to; default every later one. */
  readonly count?: number;
  /** Milliseconds the calling thread waits in the call (a chip checking a PIN takes hundreds). */
  readonly delayMs?: number;
  /** The CKR value the call answers instead of running, e.g. 0x32 (CKR_DEVICE_REMOVED). */
  readonly fail?: number;
}

/** A card unlike SoftHSM. */
export interface SimulatedCard {
  /** The lengths C_GetTokenInfo reports. */
  readonly pinLength?: { min: number; max: number };
  /** The holder's PIN is blocked: logging in as the user answers CKR_PIN_LOCKED until a C_InitPIN. */
  readonly pinBlocked?: boolean;
  /**
   * A card of unblock style `setPin` (OpenSC's style 2, PIV-like): no security-officer login
   * (CKR_USER_TYPE_INVALID); C_SetPIN without login takes the PUK as the old PIN and sets the PIN.
   */
  readonly setPinUnblock?: boolean;
}

export interface LoggedCall {
  readonly call: string;
  /** The OS thread id: the process id for the process's main thread. */
  readonly thread: number;
  readonly process: number;
  /** CLOCK_MONOTONIC, milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly returnValue: number;
}

/** Whether gcc is here to build the module (the CI image has it: pkcs11js is built with it). */
export function hasGcc(): boolean {
  return hasTool("gcc", "gcc");
}

/**
 * The simulated middleware for the suite or file this is called in (removed after it), when
 * SoftHSM and gcc are here to build it; undefined otherwise, and the tests needing it do not run.
 */
export function simulatedCardsForSuite(): SimulatedCardModule | undefined {
  if (!hasSoftHsm() || !hasGcc()) return undefined;
  const simulated = createSimulatedCardModule();
  afterAll(() => simulated.remove());
  return simulated;
}

/**
 * Builds the module and points this process's environment at its control and log files, so
 * modules loaded from now on (in any thread, or child process given this environment) use them.
 */
export function createSimulatedCardModule(): SimulatedCardModule {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-simulated-card-"));
  const library = path.join(dir, "libsimulated-card.so");
  const headers = path.join(
    path.dirname(createRequire(import.meta.url).resolve("pkcs11js")),
    "includes",
    "pkcs11",
  );
  const source = fileURLToPath(new URL("./simulated-card.c", import.meta.url));
  execFileSync("gcc", ["-shared", "-fPIC", "-O1", "-I", headers, "-o", library, source, "-ldl"], {
    stdio: "pipe",
  });
  const control = path.join(dir, "control");
  const log = path.join(dir, "calls.log");
  writeFileSync(control, "");
  writeFileSync(log, "");
  process.env.SIMULATED_CARD_MODULE = softHsmModule;
  process.env.SIMULATED_CARD_CONTROL = control;
  process.env.SIMULATED_CARD_LOG = log;
  let generation = 0;
  return {
    path: library,
    simulate(rules, card = {}) {
      const lines = [`generation ${++generation}`];
      for (const rule of rules)
        lines.push(
          `${rule.call} ${rule.skip ?? 0} ${rule.count ?? -1} ${rule.delayMs ?? 0} ${rule.fail ?? 0}`,
        );
      if (card.pinLength) lines.push(`pinLength ${card.pinLength.min} ${card.pinLength.max}`);
      if (card.pinBlocked) lines.push("pinBlocked");
      if (card.setPinUnblock) lines.push("setPinUnblock");
      writeFileSync(control, `${lines.join("\n")}\n`);
    },
    async during(rules, work, card) {
      this.simulate(rules, card);
      try {
        return await work();
      } finally {
        this.simulate([]);
      }
    },
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [call, thread, process, start, end, returnValue] = line.split(" ");
          return {
            call: call!,
            thread: Number(thread),
            process: Number(process),
            start: Number(start) / 1e6,
            end: Number(end) / 1e6,
            returnValue: Number(returnValue),
          };
        }),
    clearLog: () => writeFileSync(log, ""),
    remove() {
      delete process.env.SIMULATED_CARD_MODULE;
      delete process.env.SIMULATED_CARD_CONTROL;
      delete process.env.SIMULATED_CARD_LOG;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
