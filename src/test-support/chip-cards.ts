import { execFileSync } from "node:child_process";
import type { Logger } from "pino";
import { afterAll, beforeAll } from "vitest";
import { type CardTemplate, cardTemplateSchema, demoTemplates } from "../domain/card-template.js";
import type { ProcessOptions } from "../domain/process-options.js";
import type { Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { createPukCipher } from "../production/secrets.js";
import type { Actor } from "../services/services.js";
import { findCardPuks } from "../store/card-puks.js";
import { transitionCards } from "../store/card-transitions.js";
import { insertCards } from "../store/cards.js";
import type { Dialect } from "../store/database.js";
import { newRowId } from "../store/row-ids.js";
import { type ApiClient, loggedInOperators, requestCardsForNewHolders } from "./api-setup.js";
import { createUserAs } from "./processes.js";
import { type SimulatedCardModule, simulatedCardsForSuite } from "./simulated-card.js";
import { type BlankCardReader, createBlankCardReader, softHsmModule, transportSoPin } from "./softhsm.js";
import { createTestApp, listenOnRealTime, type TestApp } from "./test-app.js";

/**
 * Chip cards for the PIN processes, without the batch path: a SoftHSM token set up as
 * personalisation leaves a card (label = card number, SO PIN = the PUK, a user PIN), and an
 * active card row naming its serial with the PUK stored encrypted.
 */

/**
 * A chip card template on SoftHSM, PINs of 6 to 8 digits, card numbers 7003…: a blank card is a
 * token labelled `blank-…` (as `createBlankCardReader` makes them), `readers` at once. `module`
 * may be a simulated card middleware over SoftHSM (`simulated-card.ts`).
 */
export function chipTemplate(
  name: string,
  unblockStyle: "soLogin" | "setPin" = "soLogin",
  readers = 1,
  module = softHsmModule,
): CardTemplate {
  return cardTemplateSchema.parse({
    ...demoTemplates[0],
    name,
    pinLength: { min: 6, max: 8 },
    cardNumber: { prefix: "7003", digits: 8 },
    encoder: "pkcs11",
    // A card finding no blank card fails at once, as a suite that runs out of them expects,
    // rather than waiting for one to be put in (chip-refusals.test.ts waits).
    pkcs11: { module, blankLabel: "^blank-", unblockStyle, readers, blankCardWaitSeconds: 0 },
  });
}

/**
 * For a file of chip-card tests over the simulated middleware (`simulated-card.ts`): the module,
 * when SoftHSM and gcc are here to build it, and the "Chip ID" template on it.
 */
export function simulatedChipCardForSuite(): {
  simulated: SimulatedCardModule | undefined;
  chipCard: CardTemplate;
} {
  const simulated = simulatedCardsForSuite();
  return { simulated, chipCard: chipTemplate("Chip ID", "soLogin", 1, simulated?.path) };
}

/** A Tessera that makes chip cards, as {@link startChipTessera} hands it to a suite. */
export interface ChipTessera {
  reader: BlankCardReader;
  t: TestApp;
  ops: { registrar: ApiClient; production: ApiClient };
  /** Where it listens, with `onRealTime`. */
  baseUrl?: string;
}

/**
 * For a suite of chip-card tests: before its tests, readers holding `blanks` blank cards (and
 * what `prepareReader` puts in them), the transport SO PIN in the environment, a Tessera on
 * `dialect` with the template `chipCard` beside the demo's and no approval step, and a registrar
 * and a production administrator logged in; after them, all of it gone. Read the fields inside
 * the tests, once the suite has started.
 */
export function startChipTessera(setup: {
  chipCard: CardTemplate;
  blanks: number;
  dialect?: Dialect;
  options?: Partial<ProcessOptions>;
  prepareReader?: (reader: BlankCardReader) => void;
  /** Listening on 127.0.0.1 with its clock moved to now, for clients outside the process (OpenSSL). */
  onRealTime?: boolean;
  /** Where the app logs (nowhere unless given). */
  log?: Logger;
}): ChipTessera {
  const suite = {} as ChipTessera;
  beforeAll(async () => {
    // The readers hold every card before the module is loaded: SoftHSM lists only the tokens
    // present at C_Initialize.
    suite.reader = createBlankCardReader(setup.blanks);
    setup.prepareReader?.(suite.reader);
    process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    suite.t = await createTestApp(setup.dialect ?? "sqlite", {
      options: { approvalStep: false, ...setup.options },
      config: { templates: [...demoTemplates, setup.chipCard] },
      ...(setup.log && { log: setup.log }),
    });
    // Before the logins: a session begun on the test clock would have ended long before now.
    if (setup.onRealTime) suite.baseUrl = await listenOnRealTime(suite.t);
    suite.ops = await loggedInOperators(suite.t, {
      registrar: ["registrationOfficer"],
      production: ["productionAdministrator"],
    });
    // Each blank card is a softhsm2-util run: a few dozen take minutes on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    await suite.t?.close();
    suite.reader?.remove();
  });
  return suite;
}

/** A token as a personalised card: label `cardNumber`, SO PIN `puk`, user PIN `pin`. */
export function createCardToken(
  reader: BlankCardReader,
  card: { cardNumber: string; puk: string; pin: string },
) {
  execFileSync(
    "softhsm2-util",
    ["--init-token", "--free", "--label", card.cardNumber, "--so-pin", card.puk, "--pin", card.pin],
    { env: { ...process.env, SOFTHSM2_CONF: reader.conf }, stdio: "pipe" },
  );
}

/** The serial of the token labelled `label`, as the module sees it. */
export function serialOfToken(module: Pkcs11Module, label: string): string {
  const token = module.listTokens().find((candidate) => candidate.label === label);
  if (!token) throw new Error(`no token labelled ${label}`);
  return token.serial;
}

/**
 * An active card of a new holder, made of `template`, naming the token `serial` (null: a
 * software card) with `puk` stored encrypted as production stores it. Returns the card id.
 */
export async function insertActiveCard(
  t: TestApp,
  registrar: Actor,
  card: { cardNumber: string; template: string; serial: string | null; puk: string | null },
): Promise<string> {
  const userId = await createUserAs(t, registrar, {
    firstName: "Pia",
    lastName: `Pin${card.cardNumber}`,
    identifier: `PIN-${card.cardNumber}`,
  });
  const { db } = t.app.services.store;
  const at = t.clock().toISOString();
  const id = newRowId();
  await insertCards(
    db,
    [
      {
        id,
        cardNumber: card.cardNumber,
        userId,
        template: card.template,
        state: "issued",
        holderName: `Pia Pin${card.cardNumber}`,
        organizationalUnit: null,
        requestedBy: registrar.id,
        decidedBy: null,
      },
    ],
    at,
  );
  const pukEncrypted = card.puk ? createPukCipher(t.app.services.secrets.pukKey).encrypt(card.puk, id) : null;
  await transitionCards(db, {
    ids: [id],
    from: "issued",
    to: "active",
    at,
    changes: { tokenSerial: card.serial, pukEncrypted },
  });
  return id;
}

/**
 * Orders a batch of `cardIds` and runs it while recording its chunk fails every time, for a
 * reason not the cards' (the database went away), until the batch has ended; returns the batch
 * as the API shows it.
 */
export async function produceWhileRecordingFails(chip: ChipTessera, cardIds: string[]) {
  const { audit } = chip.t.app.services;
  const append = audit.append.bind(audit);
  const order = await chip.ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
  if (order.status !== 202) throw new Error(`the batch was not ordered: ${JSON.stringify(order.body)}`);
  const batchOf = () => chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`);
  audit.append = async (db, entries, at) => {
    if (entries.some((entry) => entry.action === "CardsBoProcIssueMultiple" && entry.outcome === "success"))
      throw new Error("simulated: the database went away while recording");
    return append(db, entries, at);
  };
  try {
    chip.t.app.runner.start();
    for (let attempt = 0; attempt < 20; attempt++) {
      await chip.t.app.runner.idle();
      if ((await batchOf()).body.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    audit.append = append;
  }
  return (await batchOf()).body;
}

/** A card of a chip batch, as the batch page lists it. */
export interface ChipBatchItem {
  cardId: string;
  cardNumber: string;
  state: string;
  code: string | null;
  reason: string | null;
}

/**
 * Orders a batch of `count` new chip cards of the template "Chip ID" for holders named
 * `lastName`, runs it to its end and returns its items, in order.
 */
export async function produceChipBatch(
  chip: ChipTessera,
  lastName: string,
  count: number,
  options: Record<string, unknown> = {},
) {
  const cardIds = await requestCardsForNewHolders(chip.ops.registrar, {
    lastName,
    count,
    template: "Chip ID",
  });
  const order = await chip.ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
    cardIds,
    options,
  });
  if (order.status !== 202) throw new Error(`the batch was not ordered: ${JSON.stringify(order.body)}`);
  chip.t.app.runner.start();
  await chip.t.app.runner.idle();
  const batch = (await chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
  if (batch.state !== "completed") throw new Error(`the batch ended ${batch.state}`);
  return batch.items as ChipBatchItem[];
}

/**
 * For each of `cards`, an active card of the template `templateOf` names for it, on its token in
 * `module`'s readers, with `stored` (by default the chip's `puk`) stored as its PUK: their ids,
 * by the same keys.
 */
export async function insertActiveChipCards<Key extends string>(
  t: TestApp,
  registrar: Actor,
  module: Pkcs11Module,
  cards: Record<Key, { cardNumber: string; puk: string; stored?: string }>,
  templateOf: (key: Key) => string,
): Promise<Record<Key, string>> {
  const ids = {} as Record<Key, string>;
  for (const key of Object.keys(cards) as Key[]) {
    const { cardNumber, puk, stored } = cards[key];
    ids[key] = await insertActiveCard(t, registrar, {
      cardNumber,
      template: templateOf(key),
      serial: serialOfToken(module, cardNumber),
      puk: stored ?? puk,
    });
  }
  return ids;
}

/** The card's stored PUK and the pending one a desk was given next, in clear. */
export async function storedPukPair(t: TestApp, cardId: string) {
  const cipher = createPukCipher(t.app.services.secrets.pukKey);
  const { stored, pending } = await findCardPuks(t.app.services.store.db, cardId);
  return {
    stored: stored && cipher.decrypt(stored, cardId),
    pending: pending && cipher.decrypt(pending, cardId),
  };
}
