import { createHash } from "node:crypto";
import type { CertificateAuthority } from "../ca/certificate-authority.js";
import type { CardTemplate, Pkcs11Encoder } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { loadPkcs11Module, type Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { createReaderSlots, type ReaderSlots } from "../production/reader-slots.js";

/**
 * The card readers of this process: the PKCS#11 modules its chip templates name, loaded once on
 * the main thread (a module is one per process: DEPENDENCIES.md, "SoftHSM2 facts"). A process
 * whose modules all load, and which holds each chip template's transport SO PIN, is a production
 * station: it takes the batches' chip chunks. Any other process (a server without readers)
 * leaves them to a station and still unblocks nothing it cannot reach.
 */
export interface ChipStation {
  /** Why this process does not personalise chip cards, as a sentence; undefined when it does. */
  readonly refusal: string | undefined;
  /** The loaded module named by `settings`. @throws TesseraError `pkcs11.module_unavailable`. */
  moduleFor(settings: Pkcs11Encoder): Pkcs11Module;
  /**
   * The readers of the cards of `settings`' type: however many chunks are in production at once,
   * no more cards than it has readers are personalised at a time, each in its reader's thread.
   * @throws TesseraError `pkcs11.module_unavailable` when the module is not loaded.
   */
  readersFor(settings: Pkcs11Encoder): ReaderSlots;
  /**
   * The tokens of `settings`' module that refused `transportSoPin` (each wrong try costs a card
   * one of its few SO tries): kept while the station runs with that PIN.
   */
  refusedTokens(settings: Pkcs11Encoder, transportSoPin: string): Set<string>;
  /** The transport SO PIN of blank cards of `settings`' type, from this station's environment. */
  transportSoPin(settings: Pkcs11Encoder): string;
  /**
   * Opens the station: starts the threads of every chip template's readers and counts the blank
   * cards in them, so that no card waits for its reader's thread to start and the station's
   * operator sees at once whether the readers hold blank cards. None for a process that is no
   * station. `reservedLabels`: tokens that are never blank cards (the CA's own).
   */
  open(reservedLabels: readonly string[]): Promise<StationReaders[]>;
  /** Cards of this station's batches waiting now for a blank card to be put in a reader. */
  cardsWaitingForBlankCard(): number;
  /** Stops the readers' threads, then C_Finalize every module loaded. */
  close(): Promise<void>;
}

/** One kind of card's readers at an opened station. */
export interface StationReaders {
  readonly module: string;
  /** The chip templates whose cards these readers make. */
  readonly templates: readonly string[];
  readonly readers: number;
  /** Blank cards in them when the station opened. */
  readonly blankCards: number;
}

/** The labels of the tokens a station never takes for blank cards: the CA key's own token. */
export function reservedTokenLabels(ca: Pick<CertificateAuthority, "workerToken">): string[] {
  return ca.workerToken ? [ca.workerToken.tokenLabel.replace(/\s+$/, "")] : [];
}

/**
 * Loads the modules of the chip templates among `templates` (none: nothing is loaded and the
 * station refuses chip work with a sentence saying so).
 */
export function openChipStation(
  templates: readonly CardTemplate[],
  env: NodeJS.ProcessEnv = process.env,
): ChipStation {
  const chip = templates.flatMap((template) =>
    template.pkcs11 ? [{ template, settings: template.pkcs11 }] : [],
  );
  const modules = new Map<string, Pkcs11Module>();
  const failures = new Map<string, TesseraError>();
  for (const { settings } of chip) {
    if (modules.has(settings.module) || failures.has(settings.module)) continue;
    try {
      modules.set(settings.module, loadPkcs11Module(settings.module));
    } catch (error) {
      if (!(error instanceof TesseraError)) throw error;
      failures.set(settings.module, error);
    }
  }
  const reasons = [
    ...[...failures.values()].map((error) => error.message),
    ...chip
      .filter(({ settings }) => !env[settings.transportSoPinEnv])
      .map(
        ({ template, settings }) =>
          `${settings.transportSoPinEnv}, the transport SO PIN of the blank cards of "${template.name}", is not set.`,
      ),
  ];
  const refusal =
    chip.length === 0
      ? "No card template uses the pkcs11 encoder."
      : reasons.length > 0
        ? `This process does not personalise chip cards: ${[...new Set(reasons)].join(" ")}`
        : undefined;
  const readers = new Map<string, ReaderSlots>();
  const refused = new Map<string, Set<string>>();
  const moduleFor = (settings: Pkcs11Encoder): Pkcs11Module => {
    const module = modules.get(settings.module);
    if (module) return module;
    throw (
      failures.get(settings.module) ??
      new TesseraError(
        "pkcs11.module_unavailable",
        `The PKCS#11 module ${settings.module} is not one this process loaded.`,
        { path: settings.module },
      )
    );
  };
  const readersFor = (settings: Pkcs11Encoder): ReaderSlots => {
    // Cards of one module with one blank-card pattern share the readers.
    const key = `${settings.module}\n${settings.blankLabel}`;
    let slots = readers.get(key);
    if (!slots) {
      // Loaded, and so initialised, on this thread before any reader's thread loads it.
      moduleFor(settings);
      slots = createReaderSlots(settings.readers, settings.module);
      readers.set(key, slots);
    }
    return slots;
  };
  return {
    refusal,
    refusedTokens(settings, transportSoPin) {
      const key = createHash("sha256").update(`${settings.module}\n${transportSoPin}`).digest("hex");
      let tokens = refused.get(key);
      if (!tokens) {
        tokens = new Set();
        refused.set(key, tokens);
      }
      return tokens;
    },
    readersFor,
    moduleFor,
    transportSoPin(settings) {
      const pin = env[settings.transportSoPinEnv];
      if (!pin)
        throw new TesseraError(
          "pkcs11.module_unavailable",
          `${settings.transportSoPinEnv}, the transport SO PIN of blank cards, is not set on this station.`,
          { path: settings.module },
        );
      return pin;
    },
    async open(reservedLabels) {
      if (refusal) return [];
      const kinds = new Map<ReaderSlots, { settings: Pkcs11Encoder; templates: string[] }>();
      for (const { template, settings } of chip) {
        const slots = readersFor(settings);
        const kind = kinds.get(slots) ?? { settings, templates: [] };
        kind.templates.push(template.name);
        kinds.set(slots, kind);
      }
      return Promise.all(
        [...kinds].map(async ([slots, { settings, templates }]) => {
          await slots.start();
          const reader = await slots.take();
          try {
            const blank = await reader.thread.blankTokens({
              blankLabel: settings.blankLabel,
              excluded: [],
              reservedLabels,
            });
            return { module: settings.module, templates, readers: slots.size, blankCards: blank.length };
          } finally {
            reader.release();
          }
        }),
      );
    },
    cardsWaitingForBlankCard() {
      let waiting = 0;
      for (const slots of readers.values()) waiting += slots.waitingForBlankCard;
      return waiting;
    },
    async close() {
      // The readers' threads first: C_Finalize while a thread is in a call would pull the module
      // from under it.
      await Promise.all([...readers.values()].map((slots) => slots.close()));
      readers.clear();
      for (const module of modules.values()) module.close();
      modules.clear();
    },
  };
}
