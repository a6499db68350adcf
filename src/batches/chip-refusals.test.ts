import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { initialiseToken } from "../pkcs11/card-token.js";
import type { Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { findHistoryOf } from "../store/audit-log.js";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import {
  type ChipBatchItem,
  produceChipBatch,
  produceWhileRecordingFails,
  serialOfToken,
  simulatedChipCardForSuite,
  startChipTessera,
} from "../test-support/chip-cards.js";
import { type BlankCardReader, softHsmModule, transportSoPin } from "../test-support/softhsm.js";

/**
 * Issue 10, bad input: a PIN length the chip refuses, a wrong transport PIN, no blank card left
 * (after waiting for one); a card pulled out mid-card is `chip-steps-ahead.test.ts`'s, at each
 * step. Each fails the card with a sentence naming it and the cause, leaves nothing
 * half-recorded, and the batch goes on with the other cards.
 */
/** SoftHSM cards that can be pulled out or refuse a PIN length: a middleware over it that says so. */
const { simulated, chipCard: template } = simulatedChipCardForSuite();
const tools = simulated !== undefined;
/** A card finding no blank card waits 30 s for one to be put in: time enough for a loaded machine to put one in. */
const chipCard = { ...template, pkcs11: { ...template.pkcs11!, blankCardWaitSeconds: 30 } };

/** What the readers hold besides the blank cards: cards that are not blank and must stay as they are. */
function addCardsNotBlank(reader: BlankCardReader): void {
  // Someone else's card in the readers: initialised, holding an object, not blank.
  reader.addCard("staff-card-0042");
  execFileSync(
    "pkcs11-tool",
    [
      "--module",
      softHsmModule,
      "--token-label",
      "staff-card-0042",
      "--login",
      "--pin",
      "1234",
      "--keypairgen",
      "--key-type",
      "EC:prime256v1",
      "--label",
      "keep me",
    ],
    { env: { ...process.env, SOFTHSM2_CONF: reader.conf }, stdio: "pipe" },
  );
  // A blank card not yet in the readers: a test puts it in (labels it as blank) when it is needed.
  reader.addCard("spare-1");
  // Another card labelled like a blank one, with an SO PIN of its own: it must be left alone.
  execFileSync(
    "softhsm2-util",
    ["--init-token", "--free", "--label", "blank-foreign", "--so-pin", "87654321", "--pin", "1234"],
    { env: { ...process.env, SOFTHSM2_CONF: reader.conf }, stdio: "pipe" },
  );
}

describe.runIf(tools)("chip cards that cannot be made (SoftHSM)", () => {
  const chip = startChipTessera({ chipCard, blanks: 4, prepareReader: addCardsNotBlank });
  let module: Pkcs11Module;
  let holders = 0;

  /** Orders a batch of `count` new chip cards and waits for it; its items, in order. */
  async function batchOf(count: number, options: Record<string, unknown> = {}): Promise<ChipBatchItem[]> {
    return produceChipBatch(chip, `Refusal${String.fromCharCode(97 + holders++)}`, count, options);
  }
  const tokenLabels = () => module.listTokens().map((token) => token.label);
  /** Orders one new chip card and runs the batch until the card waits for a blank card. */
  async function orderCardThatWaits() {
    const cardIds = await requestCardsForNewHolders(chip.ops.registrar, {
      lastName: `Refusal${String.fromCharCode(97 + holders++)}`,
      count: 1,
      template: "Chip ID",
    });
    const order = await chip.ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds,
    });
    expect(order.status).toBe(202);
    chip.t.app.runner.start();
    await untilACardWaits();
    return { cardIds, order };
  }
  async function untilACardWaits() {
    for (let waited = 0; chip.t.app.services.chipStation.cardsWaitingForBlankCard() === 0; waited += 10) {
      if (waited > 60_000) throw new Error("no card waited for a blank card");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const objectsOn = (label: string) =>
    chip.reader.pkcs11Tool("--token-label", label, "--list-objects").trim();

  beforeAll(() => {
    module = chip.t.app.services.chipStation.moduleFor(chipCard.pkcs11!);
  });

  it("refuses a PIN length the chip does not take, naming the card, and leaves the chips blank", async () => {
    const blanks = tokenLabels().filter((label) => label.startsWith("blank-")).length;
    const items = await simulated!.during([], () => batchOf(2, { pinLength: 6 }), {
      pinLength: { min: 8, max: 8 },
    });
    expect(items.map((item) => [item.state, item.code])).toEqual([
      ["failed", "pkcs11.pin_rejected"],
      ["failed", "pkcs11.pin_rejected"],
    ]);
    expect(items[0]!.reason).toMatch(
      new RegExp(
        `^Card ${items[0]!.cardNumber}: its chip \\(token \\w+\\) takes PINs of 8 to 8 digits, not 6\\.$`,
      ),
    );
    expect(tokenLabels().filter((label) => label.startsWith("blank-"))).toHaveLength(blanks);
  });

  it("stops at the first blank card that refuses the transport PIN, and makes the cards once it is right", async () => {
    const blanks = tokenLabels().filter((label) => label.startsWith("blank-")).length;
    process.env.TESSERA_TRANSPORT_SO_PIN = "99999999";
    let items: ChipBatchItem[];
    try {
      items = await batchOf(2);
    } finally {
      process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
    }
    expect(items.map((item) => [item.state, item.code])).toEqual([
      ["failed", "pkcs11.pin_incorrect"],
      ["failed", "pkcs11.pin_incorrect"],
    ]);
    expect(items[0]!.reason).toContain(`Card ${items[0]!.cardNumber}`);
    expect(items[0]!.reason).toContain("CKR_PIN_INCORRECT");
    expect(items[1]!.reason).toMatch(/was not tried: .*Set TESSERA_TRANSPORT_SO_PIN/);
    // The chips were not changed: still blank, and the next batch makes its cards on them.
    expect(tokenLabels().filter((label) => label.startsWith("blank-"))).toHaveLength(blanks);
    expect((await batchOf(2)).map((item) => item.state)).toEqual(["done", "done"]);
  });

  it("revokes what it signed for chips whose chunk is given up after its last attempt", async () => {
    const cardIds = await requestCardsForNewHolders(chip.ops.registrar, {
      lastName: `Refusal${String.fromCharCode(97 + holders++)}`,
      count: 1,
      template: "Chip ID",
    });
    const batch = await produceWhileRecordingFails(chip, cardIds);
    expect(batch).toMatchObject({ state: "completed", failed: 1 });
    expect(batch.items[0].code).toBe("batch.production_failed");
    const { db } = chip.t.app.services.store;
    // Each attempt signed the card's two certificates: all of them are recorded, revoked.
    const certificates = await db
      .selectFrom("certificates")
      .select(["state"])
      .where("card_id", "=", cardIds[0]!)
      .execute();
    expect(certificates.length).toBeGreaterThanOrEqual(2);
    expect(certificates.every((certificate) => certificate.state === "revoked")).toBe(true);
    expect(await db.selectFrom("chip_journal_certificates").selectAll().execute()).toEqual([]);
    expect(await db.selectFrom("chip_journal").selectAll().execute()).toEqual([]);
  });

  it("holds a card for which no blank card is left until one is put in the readers, then makes it", async () => {
    const blanks = tokenLabels().filter((label) => label.startsWith("blank-"));
    // The chip of the card given up above was wiped: a blank card again.
    expect(blanks.sort(), tokenLabels().join(",")).toEqual([
      expect.stringMatching(/^blank-\d$/),
      expect.stringMatching(/^blank-7003\d{9}$/),
      "blank-foreign",
    ]);
    // The last two blank cards are used; the foreign one refuses the transport PIN once and is
    // left alone, so the third card waits until the station's operator puts a blank card in.
    const { chipStation } = chip.t.app.services;
    const producing = batchOf(3);
    await untilACardWaits();
    // The batch's operators, who are not at the station, read why it does not move. (The only
    // running batch: the test clock stands still, so the batches' creation times are all alike.)
    const waitingBatch = async () =>
      (await chip.ops.production("GET", "/api/v1/batches?state=running&limit=5")).body.items[0];
    for (let waited = 0; !(await waitingBatch())?.waitingForBlankCardSince; waited += 10) {
      if (waited > 10_000) throw new Error("the batch never said it waits for blank cards");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { id: batchId, waitingForBlankCardSince } = await waitingBatch();
    expect(Date.parse(waitingForBlankCardSince)).not.toBeNaN();
    // And Prometheus, which the office's monitoring watches.
    await chip.t.operator("watcher", ["auditor"]);
    const metrics = await chip.t.server.inject({
      url: "/metrics",
      headers: { cookie: await chip.t.login("watcher") },
    });
    expect(metrics.body).toMatch(/^tessera_cards_waiting_for_blank_card 1$/m);
    // The waiting card does not hold the only reader: a PIN process may use it meanwhile.
    const asked = Date.now();
    const reader = await chipStation.readersFor(chipCard.pkcs11).take();
    reader.release();
    expect(Date.now() - asked).toBeLessThan(5_000);
    initialiseToken(module, serialOfToken(module, "spare-1"), transportSoPin, "blank-late");
    const items = await producing;
    expect(items.map((item) => [item.state, item.code])).toEqual([
      ["done", null],
      ["done", null],
      ["done", null],
    ]);
    expect(chipStation.cardsWaitingForBlankCard()).toBe(0);
    expect((await chip.ops.production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
      state: "completed",
      waitingForBlankCardSince: null,
    });
    expect(tokenLabels()).toContain(items[2]!.cardNumber);
    expect(tokenLabels()).not.toContain("blank-late");
  });

  it("stops a card waiting for a blank card once its batch is cancelled, and releases it: approved again, not failed", async () => {
    const { chipStation } = chip.t.app.services;
    const started = Date.now();
    const { cardIds, order } = await orderCardThatWaits();
    const cancelled = await chip.ops.production("POST", `/api/v1/batches/${order.body.batchId}/cancel`);
    expect(cancelled.status).toBe(200);
    await chip.t.app.runner.idle();
    // Well within the 30 s it would otherwise have waited.
    expect(Date.now() - started).toBeLessThan(8_000);
    const batch = (await chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch).toMatchObject({ state: "cancelled", done: 0, failed: 0, released: 1, left: 0 });
    expect(batch.items[0]).toMatchObject({ state: "released", code: null });
    expect(batch.items[0].reason).toMatch(
      /waited for a blank card when its batch was cancelled: it was not made\.$/,
    );
    // As a cancelled batch's cards not yet taken: free to be ordered again, nothing signed.
    const card = (await chip.ops.production("GET", `/api/v1/cards/${cardIds[0]}`)).body;
    expect(card).toMatchObject({ state: "approved", batchId: null, tokenSerial: null, certificates: [] });
    // The card's history says why it came back.
    const history = await findHistoryOf(chip.t.app.services.store.db, "card", cardIds[0]!);
    expect(history.at(-1)).toMatchObject({
      action: "CardsBoProcIssueMultiple",
      outcome: "refused",
      details: { from: "approved", to: "approved" },
    });
    expect(chipStation.cardsWaitingForBlankCard()).toBe(0);
  });

  it("gives a waiting card's chunk back when the station stops, rather than holding the stop for the wait", async () => {
    const { cardIds, order } = await orderCardThatWaits();
    const stopping = Date.now();
    await chip.t.app.runner.stop();
    // Well within the 30 s the card would otherwise have waited.
    expect(Date.now() - stopping).toBeLessThan(5_000);
    const chunks = await chip.t.app.services.store.db
      .selectFrom("batch_chunks")
      .select(["state", "attempts", "waiting_for_blank_card_since"])
      .where("batch_id", "=", order.body.batchId)
      .execute();
    // Given back untouched, as if never taken, to be produced after the restart; the card did not fail.
    expect(chunks).toEqual([{ state: "pending", attempts: 0, waiting_for_blank_card_since: null }]);
    const batch = (await chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch).toMatchObject({ state: "running", failed: 0, waitingForBlankCardSince: null });
    // Not wanted any longer: cancelled before it is taken again, its card goes back to approved.
    expect((await chip.ops.production("POST", `/api/v1/batches/${order.body.batchId}/cancel`)).status).toBe(
      200,
    );
    expect((await chip.ops.production("GET", `/api/v1/cards/${cardIds[0]}`)).body.state).toBe("approved");
  });

  it("fails a card that waited in vain for a blank card, and never touches a card that is not blank", async () => {
    // Only the foreign card, which refused the transport PIN, is labelled blank.
    expect(tokenLabels().filter((label) => label.startsWith("blank-"))).toEqual(["blank-foreign"]);
    const items = await batchOf(1);
    expect(items.map((item) => [item.state, item.code])).toEqual([["failed", "pkcs11.no_blank_card"]]);
    expect(items[0]!.reason).toContain(`card ${items[0]!.cardNumber} after waiting 30 s for one`);
    expect(chip.t.app.services.chipStation.cardsWaitingForBlankCard()).toBe(0);
    expect(tokenLabels()).toContain("blank-foreign");
    expect(chip.reader.soPinOpens("blank-foreign", "87654321", "1234")).toBe(true);
    expect(objectsOn("staff-card-0042")).toContain("keep me");
  });
});
