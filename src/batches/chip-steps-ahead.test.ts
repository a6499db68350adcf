import { beforeAll, describe, expect, it } from "vitest";
import type { Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import {
  type ChipBatchItem,
  produceChipBatch,
  simulatedChipCardForSuite,
  startChipTessera,
} from "../test-support/chip-cards.js";
import { transportSoPin } from "../test-support/softhsm.js";

/**
 * Issue 10, throughput: a card's next key pair and each certificate's write are sent to its
 * reader without waiting for the step before (the reader runs them in order), so the chip does
 * not wait while the main thread signs and journals. A step that fails there must still fail its
 * card as it did when every step was awaited: the certificates signed for it revoked, the chip
 * wiped, the other cards made.
 */
const { simulated, chipCard } = simulatedChipCardForSuite();
const tools = simulated !== undefined;

describe.runIf(tools)("a card's steps sent ahead to its reader (SoftHSM)", () => {
  const chip = startChipTessera({ chipCard, blanks: 8 });
  let module: Pkcs11Module;
  let holders = 0;
  beforeAll(() => {
    module = chip.t.app.services.chipStation.moduleFor(chipCard.pkcs11!);
  });

  async function batchOf(count: number): Promise<ChipBatchItem[]> {
    return produceChipBatch(chip, `Ahead${String.fromCharCode(97 + holders++)}`, count);
  }

  // The certificates signed for the card when its chip went: undefined where a step sent ahead
  // may have let the next be signed before the failure was known.
  it.each([
    ["its first certificate's write", "C_CreateObject", 0, undefined],
    ["its second key pair", "C_GenerateKeyPair", 1, 1],
  ])(
    "fails the card whose chip is pulled out at %s, revokes its certificates, wipes the chip",
    async (_, call, skip, signed) => {
      // One call answers CKR_DEVICE_REMOVED: the first card's (one reader, the cards in order).
      const items = await simulated!.during([{ call, skip, count: 1, fail: 0x32 }], () => batchOf(3));
      expect(items.map((item) => item.state)).toEqual(["failed", "done", "done"]);
      const [removed] = items;
      expect(removed!.code).toBe("pkcs11.card_removed");
      expect(removed!.reason).toContain(`Card ${removed!.cardNumber}`);
      expect(removed!.reason).toContain("CKR_DEVICE_REMOVED");
      const card = (await chip.ops.production("GET", `/api/v1/cards/${removed!.cardId}`)).body;
      expect(card).toMatchObject({ state: "failed", tokenSerial: null });
      // Whatever was signed for it before the failure was known is recorded, and revoked.
      expect(card.certificates.length).toBeGreaterThan(0);
      if (signed !== undefined) expect(card.certificates).toHaveLength(signed);
      expect(card.certificates.every((c: { state: string }) => c.state === "revoked")).toBe(true);
      // The chip answers again: nothing half-made stays on it, not even a key pair made ahead.
      const wiped = `blank-${removed!.cardNumber}`;
      expect(module.listTokens().map((token) => token.label)).toContain(wiped);
      expect(chip.reader.pkcs11Tool("--token-label", wiped, "--list-objects").trim()).toBe("");
      expect(chip.reader.soPinOpens(wiped, transportSoPin, "1234")).toBe(true);
      const { db } = chip.t.app.services.store;
      expect(await db.selectFrom("chip_journal").selectAll().execute()).toEqual([]);
      expect(await db.selectFrom("chip_journal_certificates").selectAll().execute()).toEqual([]);
    },
  );
});
