import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { transitionCards } from "../store/card-transitions.js";
import { insertCards } from "../store/cards.js";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate, produceWhileRecordingFails, startChipTessera } from "../test-support/chip-cards.js";
import { hasSoftHsm, transportSoPin } from "../test-support/softhsm.js";

/**
 * Issue 10, "the journal leaves no stray keys or certificates": a card can fail after its chip
 * was personalised — its chunk given up after its last attempt (each attempt redid the chip), or
 * refused when the chunk is recorded. Its certificates are revoked; its chip must not keep the
 * failed card's keys and revoked certificates, nor an SO PIN (the card's PUK) that nobody keeps
 * any more: it is wiped and given back the transport SO PIN, a blank card again, as a card that
 * fails mid-card is. pkcs11-tool judges the token.
 */
const chipCard = chipTemplate("Chip ID", "soLogin", 1);

describe.runIf(hasSoftHsm())("a chip card that fails after its chip was personalised", () => {
  const chip = startChipTessera({ chipCard, blanks: 3 });

  /** The labels of the tokens in the readers. */
  const tokenLabels = () =>
    chip.reader
      .pkcs11Tool("--list-token-slots")
      .split("\n")
      .flatMap((line) => /token label\s*:\s*(.+)/.exec(line)?.[1]?.trim() ?? []);

  /** The chip of the failed card `cardNumber` is a blank card again, and the journal forgot it. */
  const expectWiped = async (cardNumber: string) => {
    const labels = tokenLabels();
    expect(labels).not.toContain(cardNumber);
    const wiped = `blank-${cardNumber}`;
    expect(labels).toContain(wiped);
    expect(chip.reader.pkcs11Tool("--token-label", wiped, "--list-objects").trim()).toBe("");
    expect(chip.reader.soPinOpens(wiped, transportSoPin, "1234")).toBe(true);
    expect(await chip.t.app.services.store.db.selectFrom("chip_journal").selectAll().execute()).toEqual([]);
  };

  it("leaves its chip wiped: a blank card with the transport SO PIN, nothing of the failed card on it", async () => {
    const [cardId] = await requestCardsForNewHolders(chip.ops.registrar, {
      lastName: "Givenup",
      count: 1,
      template: "Chip ID",
    });
    const batch = await produceWhileRecordingFails(chip, [cardId!]);
    expect(batch).toMatchObject({ state: "completed", failed: 1 });
    const { cardNumber } = batch.items[0];
    expect(batch.items[0]).toMatchObject({ state: "failed", code: "batch.production_failed" });

    await expectWiped(cardNumber);
  });

  it("wipes the chip of a card refused when its chunk is recorded: its holder got an active card meanwhile", async () => {
    const [cardId] = await requestCardsForNewHolders(chip.ops.registrar, {
      lastName: "Latecomer",
      count: 1,
      template: "Chip ID",
    });
    const order = await chip.ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
      options: { cardEndState: "active", certificateEndState: "valid" },
    });
    expect(order.status).toBe(202);
    // After the order, before the chunk is recorded: another card of the holder becomes active.
    const { db } = chip.t.app.services.store;
    const { user_id: userId, requested_by: requestedBy } = await db
      .selectFrom("cards")
      .select(["user_id", "requested_by"])
      .where("id", "=", cardId!)
      .executeTakeFirstOrThrow();
    const other = randomUUID();
    const at = chip.t.clock().toISOString();
    await insertCards(
      db,
      [
        {
          id: other,
          cardNumber: "9900000001",
          userId,
          template: "Employee ID",
          state: "issued",
          holderName: "Latecomer",
          organizationalUnit: null,
          requestedBy,
          decidedBy: null,
        },
      ],
      at,
    );
    await transitionCards(db, { ids: [other], from: "issued", to: "active", at, changes: {} });
    chip.t.app.runner.start();
    await chip.t.app.runner.idle();
    const batch = (await chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch.items[0]).toMatchObject({ state: "failed", code: "card.too_many_active" });
    await expectWiped(batch.items[0].cardNumber);
  });
});
