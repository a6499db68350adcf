import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { openTokenSession } from "../pkcs11/card-token.js";
import type { Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { createPukCipher } from "../production/secrets.js";
import type { Actor, Services } from "../services/services.js";
import { findHistoryOf } from "../store/audit-log.js";
import type { ApiClient } from "../test-support/api-setup.js";
import {
  chipTemplate,
  createCardToken,
  insertActiveCard,
  insertActiveChipCards,
  serialOfToken,
  storedPukPair,
} from "../test-support/chip-cards.js";
import { dialects } from "../test-support/databases.js";
import { simulatedCardsForSuite } from "../test-support/simulated-card.js";
import { type BlankCardReader, createBlankCardReader, hasSoftHsm } from "../test-support/softhsm.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";
import { pukDisclosuresPerHour } from "./card-puk.js";
import { runProcess } from "./registry.js";

/**
 * Issue 10, "Unblock PIN" and "Change PIN": "with the stored PUK the PIN is reset; the old PIN
 * fails and the new one works; a wrong PUK is refused and recorded; a simulated blocked card is
 * unblocked"; "a PIN length the card refuses, a PUK that does not match: each a clear error
 * naming the card and the cause". The judge of every PIN is OpenSC's pkcs11-tool, logging in to
 * the token in a process of its own. Cards SoftHSM cannot be (a blocked PIN, no SO login) are
 * the simulated card middleware over SoftHSM (`simulated-card.c`), which acts in the C library
 * whichever thread calls it: the PIN work runs in a reader's thread.
 */
const template = chipTemplate("Chip ID");
const simulated = simulatedCardsForSuite();
/** Cards whose PIN the simulated middleware blocks. */
const blockedTemplate = chipTemplate("Chip ID blocked", "soLogin", 1, simulated?.path);
/** A card type whose PUK unblocks through C_SetPIN without login (no SO login at all). */
const setPinTemplate = chipTemplate("Chip ID set-PIN", "setPin", 1, simulated?.path);
/** A card type whose module this server has not got: its cards are unblocked at a desk. */
const elsewhereTemplate = {
  ...chipTemplate("Chip elsewhere"),
  pkcs11: { ...chipTemplate("Chip elsewhere").pkcs11!, module: "/nonexistent/libcard-pkcs11.so" },
};

describe.skipIf(!hasSoftHsm())("PIN processes on chip cards (SoftHSM, judged by pkcs11-tool)", () => {
  let reader: BlankCardReader;
  beforeAll(() => {
    reader = createBlankCardReader(0);
  });
  afterAll(() => {
    reader?.remove();
  });

  describe.each(dialects)("on %s", (dialect) => {
    let t: TestApp;
    let helpdesk: ApiClient;
    let helpdeskActor: Actor;
    let module: Pkcs11Module;
    const prefix = dialect === "sqlite" ? "81" : "82";
    /** The cards of this run: number, PUK on the chip, PUK stored, PIN on the chip. */
    const cards = {
      unblock: { cardNumber: `${prefix}00000001`, puk: "11223344", stored: "11223344", pin: "111111" },
      wrongPuk: { cardNumber: `${prefix}00000002`, puk: "22334455", stored: "99887766", pin: "222222" },
      blocked: { cardNumber: `${prefix}00000003`, puk: "33445566", stored: "33445566", pin: "333333" },
      length: { cardNumber: `${prefix}00000004`, puk: "44556677", stored: "44556677", pin: "444444" },
      change: { cardNumber: `${prefix}00000005`, puk: "55667788", stored: "55667788", pin: "555555" },
      setPin: { cardNumber: `${prefix}00000008`, puk: "88990011", stored: "88990011", pin: "888888" },
      unreadable: { cardNumber: `${prefix}00000010`, puk: "10203040", stored: "10203040", pin: "101010" },
      rotate: { cardNumber: `${prefix}00000011`, puk: "11112222", stored: "11112222", pin: "111222" },
      crash: { cardNumber: `${prefix}00000012`, puk: "12121313", stored: "12121313", pin: "121213" },
      abandoned: { cardNumber: `${prefix}00000013`, puk: "13131414", stored: "13131414", pin: "131314" },
      noRotation: { cardNumber: `${prefix}00000014`, puk: "14141515", stored: "14141515", pin: "141415" },
    };
    const ids: Record<keyof typeof cards | "removed" | "software" | "elsewhere", string> = {} as never;

    beforeAll(async () => {
      // The module lists only the tokens present when it is initialised: make them first.
      for (const card of Object.values(cards)) createCardToken(reader, card);
      t = await createTestApp(dialect, {
        config: {
          templates: [...demoTemplates, template, blockedTemplate, setPinTemplate, elsewhereTemplate],
        },
      });
      module = t.app.services.chipStation.moduleFor(template.pkcs11!);
      const registrar = await t.operator("registrar", ["registrationOfficer"]);
      helpdeskActor = await t.operator("helpdesk", ["helpdesk"]);
      helpdesk = apiAs(t.server, await t.login("helpdesk"));
      const templateOf = (key: string) =>
        ({ setPin: setPinTemplate.name, blocked: blockedTemplate.name })[key] ?? template.name;
      Object.assign(ids, await insertActiveChipCards(t, registrar, module, cards, templateOf));
      // A chip card whose token is in no reader (taken out, or never here).
      ids.removed = await insertActiveCard(t, registrar, {
        cardNumber: `${prefix}00000006`,
        template: template.name,
        serial: "00000000deadbeef",
        puk: "66778899",
      });
      ids.elsewhere = await insertActiveCard(t, registrar, {
        cardNumber: `${prefix}00000009`,
        template: elsewhereTemplate.name,
        serial: "00000000cafef00d",
        puk: "99001122",
      });
      ids.software = await insertActiveCard(t, registrar, {
        cardNumber: `${prefix}00000007`,
        template: "Employee ID",
        serial: null,
        puk: null,
      });
    });
    afterAll(() => t?.close());

    const unblock = (cardId: string, newPin: string) =>
      helpdesk("POST", "/api/v1/processes/CardsProcUnblockPin", { cardId, newPin });
    /** Unblocks over HTTP and expects it refused: `status`, an error matching `error`, which it returns. */
    const expectUnblockRefused = async (
      cardId: string,
      newPin: string,
      status: number,
      error: { code: string; message?: unknown },
    ) => {
      const answer = await unblock(cardId, newPin);
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body.error).toMatchObject(error);
      return answer.body.error as { code: string; message: string };
    };
    const history = (cardId: string) => findHistoryOf(t.app.services.store.db, "card", cardId);
    /**
     * The PIN processes called directly, as the helpdesk: a refusal comes back as the thrown
     * TesseraError, and a test may hand in services with a changed template.
     */
    const unblockDirectly = (cardId: string, newPin: string, services = t.app.services) =>
      runProcess(services, helpdeskActor, "CardsProcUnblockPin", { cardId, newPin });
    const changePin = (cardId: string, oldPin: string, newPin: string) =>
      runProcess(t.app.services, helpdeskActor, "CardsProcChangePin", { cardId, oldPin, newPin });

    it("offers Unblock PIN and Change PIN on an active chip card, and not on a software card", async () => {
      const chip = await helpdesk("GET", `/api/v1/cards/${ids.unblock}`);
      expect(chip.body.tokenSerial).toMatch(/^[0-9a-f]{16}$/);
      expect(chip.body.allowedProcesses).toEqual(
        expect.arrayContaining(["CardsProcUnblockPin", "CardsProcChangePin"]),
      );
      const software = await helpdesk("GET", `/api/v1/cards/${ids.software}`);
      expect(software.body.allowedProcesses).not.toContain("CardsProcUnblockPin");
      expect(software.body.allowedProcesses).not.toContain("CardsProcChangePin");
    });

    it("unblocks with the stored PUK: the new PIN opens the card, the old one no longer does", async () => {
      const card = cards.unblock;
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
      const answer = await unblock(ids.unblock, "7654321");
      expect(answer.status).toBe(200);
      expect(answer.body.card).toMatchObject({
        id: ids.unblock,
        cardNumber: card.cardNumber,
        state: "active",
      });
      expect(reader.pinOpens(card.cardNumber, "7654321")).toBe(true);
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
      const entries = await history(ids.unblock);
      const used = entries.find((e) => e.action === "CardsProcUnblockPin");
      expect(used).toMatchObject({
        outcome: "success",
        operatorName: "helpdesk",
        details: { cardNumber: card.cardNumber, pukUsed: true, unblockStyle: "soLogin" },
      });
      // Neither the PIN nor the PUK is written anywhere in the history.
      expect(JSON.stringify(entries)).not.toContain("7654321");
      expect(JSON.stringify(entries)).not.toContain(card.puk);
    });

    it("a PUK that does not match the card: refused naming the card, recorded, the PIN unchanged", async () => {
      const card = cards.wrongPuk;
      await expectUnblockRefused(ids.wrongPuk, "8765432", 403, {
        code: "pkcs11.pin_incorrect",
        message: `Card ${card.cardNumber} refused its stored PUK: the PUK does not match the card (CKR_PIN_INCORRECT).`,
      });
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
      expect(reader.pinOpens(card.cardNumber, "8765432")).toBe(false);
      const refused = (await history(ids.wrongPuk)).filter((e) => e.action === "CardsProcUnblockPin");
      expect(refused).toEqual([
        expect.objectContaining({
          outcome: "refused",
          operatorName: "helpdesk",
          details: expect.objectContaining({ code: "pkcs11.pin_incorrect" }),
        }),
      ]);
    });

    it.runIf(simulated)(
      "unblocks a (simulated) blocked card: the holder's PIN is locked until then",
      async () => {
        const card = cards.blocked;
        await simulated!.during(
          [],
          async () => {
            await expect(changePin(ids.blocked, card.pin, "1212121")).rejects.toMatchObject({
              code: "pkcs11.pin_blocked",
              status: 423,
              message: expect.stringContaining(`card ${card.cardNumber}`),
            });
            await expect(unblockDirectly(ids.blocked, "3434343")).resolves.toMatchObject({ status: 200 });
            // Unblocked: the card (still simulated) lets the holder in with the new PIN, and change it.
            await expect(changePin(ids.blocked, "3434343", "5656565")).resolves.toMatchObject({
              status: 200,
            });
          },
          { pinBlocked: true },
        );
        expect(reader.pinOpens(card.cardNumber, "5656565")).toBe(true);
        expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
        const actions = (await history(ids.blocked)).map((e) => [e.action, e.outcome]);
        expect(actions).toEqual(
          expect.arrayContaining([
            ["CardsProcChangePin", "refused"],
            ["CardsProcUnblockPin", "success"],
            ["CardsProcChangePin", "success"],
          ]),
        );
      },
    );

    it.runIf(simulated)(
      "unblocks a card of unblock style setPin: C_SetPIN with the PUK, without login",
      async () => {
        const card = cards.setPin;
        const services = t.app.services;
        await simulated!.during(
          [],
          async () => {
            await expect(unblockDirectly(ids.setPin, "9090909")).resolves.toMatchObject({ status: 200 });
            expect(reader.pinOpens(card.cardNumber, "9090909")).toBe(true);
            expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
            // The same card type refuses the security-officer login the other style uses.
            const soLogin: Services = {
              ...services,
              templates: new Map(
                [...services.templates].map(([name, tpl]) => [
                  name,
                  tpl.name === setPinTemplate.name
                    ? { ...tpl, pkcs11: { ...tpl.pkcs11!, unblockStyle: "soLogin" as const } }
                    : tpl,
                ]),
              ),
            };
            await expect(unblockDirectly(ids.setPin, "1010101", soLogin)).rejects.toMatchObject({
              code: "card.chip_failed",
              message: expect.stringContaining("CKR_USER_TYPE_INVALID"),
            });
          },
          { setPinUnblock: true },
        );
        expect(reader.pinOpens(card.cardNumber, "9090909")).toBe(true);
      },
    );

    it.each([
      ["too short", "12345", 5],
      ["too long", "123456789", 9],
    ])("a new PIN %s for the card is refused naming the card; nothing changes", async (_, newPin, length) => {
      const card = cards.length;
      await expectUnblockRefused(ids.length, newPin, 400, {
        code: "pkcs11.pin_rejected",
        message: `Card ${card.cardNumber} takes a PIN of 6 to 8 digits (its template "Chip ID"); the new PIN has ${length}.`,
      });
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
      expect(JSON.stringify(await history(ids.length))).not.toContain(newPin);
    });

    it("a stored PUK this server cannot read (encrypted under another PUK key): a 409 naming the card, nothing changed", async () => {
      // As after TESSERA_PUK_KEY was changed: the PUK was encrypted under the key before.
      const foreign = createPukCipher(randomBytes(32)).encrypt(cards.unreadable.stored, ids.unreadable);
      await t.app.services.store.db
        .updateTable("cards")
        .set({ puk_encrypted: foreign })
        .where("id", "=", ids.unreadable)
        .execute();
      for (const answer of [
        await unblock(ids.unreadable, "7654321"),
        await helpdesk("POST", `/api/v1/cards/${ids.unreadable}/puk`),
      ]) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(409);
        expect(answer.body.error.code).toBe("card.puk_unreadable");
        expect(answer.body.error.message).toContain(cards.unreadable.cardNumber);
        expect(answer.body.error.message).toContain("TESSERA_PUK_KEY");
        expect(answer.body).not.toHaveProperty("puk");
      }
      expect(reader.pinOpens(cards.unreadable.cardNumber, cards.unreadable.pin)).toBe(true);
    });

    it("a chip card with no PUK stored: refused naming the card and recorded, the PIN unchanged", async () => {
      // As a card made before its PUK was kept. The unreadable PUK's card serves: each of the two
      // tests sets the stored PUK it needs, and neither changes the chip.
      const card = cards.unreadable;
      await t.app.services.store.db
        .updateTable("cards")
        .set({ puk_encrypted: null })
        .where("id", "=", ids.unreadable)
        .execute();
      const refusedBefore = (await history(ids.unreadable)).filter(
        (e) => e.action === "CardsProcUnblockPin" && e.outcome === "refused",
      ).length;
      const error = await expectUnblockRefused(ids.unreadable, "7654321", 409, { code: "card.no_puk" });
      expect(error.message).toContain(card.cardNumber);
      // Said before the new PIN is judged: no PIN would help.
      await expectUnblockRefused(ids.unreadable, "12", 409, { code: "card.no_puk" });
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
      expect(reader.pinOpens(card.cardNumber, "7654321")).toBe(false);
      const refused = (await history(ids.unreadable)).filter(
        (e) => e.action === "CardsProcUnblockPin" && e.outcome === "refused",
      );
      expect(refused.length - refusedBefore).toBe(2);
    });

    it("a new PIN that is not digits is refused before the card is reached", async () => {
      await expectUnblockRefused(ids.length, "12ab56", 400, {
        code: "request.invalid",
        message: "newPin: must be digits only",
      });
      expect(reader.pinOpens(cards.length.cardNumber, cards.length.pin)).toBe(true);
    });

    it("a software card is refused: it has no PUK and no retry counter", async () => {
      await expectUnblockRefused(ids.software, "1234567", 409, {
        code: "card.not_chip",
        message: `Card ${prefix}00000007 is a software token, not a chip card: it has no PIN retry counter and no PUK.`,
      });
    });

    it("a card no reader holds: refused naming the card", async () => {
      const error = await expectUnblockRefused(ids.removed, "1234567", 404, {
        code: "pkcs11.token_not_found",
      });
      expect(error.message).toContain(`card ${prefix}00000006`);
      expect(error.message).toContain("00000000deadbeef");
    });

    it("a card whose reader this server has not got: refused naming the card and where it can be done", async () => {
      await expectUnblockRefused(ids.elsewhere, "1234567", 409, {
        code: "card.chip_unreachable",
        message: expect.stringMatching(
          new RegExp(
            `^This server does not reach the readers of card ${prefix}00000009: The PKCS#11 module /nonexistent/libcard-pkcs11\\.so cannot be loaded .* tessera card unblock --card ${prefix}00000009\\.$`,
          ),
        ),
      });
    });

    it("only the helpdesk unblocks or changes a PIN", async () => {
      await t.operator("officer", ["securityOfficer", "registrationOfficer", "issuingAuthority"]);
      const officer = apiAs(t.server, await t.login("officer"));
      for (const name of ["CardsProcUnblockPin", "CardsProcChangePin"]) {
        const answer = await officer("POST", `/api/v1/processes/${name}`, {
          cardId: ids.length,
          oldPin: cards.length.pin,
          newPin: "7777777",
        });
        expect([name, answer.status, answer.body.error.code]).toEqual([name, 403, "auth.forbidden"]);
      }
      expect(reader.pinOpens(cards.length.cardNumber, cards.length.pin)).toBe(true);
    });

    it("changes the PIN with the old one; a wrong old PIN is refused and recorded", async () => {
      const card = cards.change;
      const change = (oldPin: string, newPin: string) =>
        helpdesk("POST", "/api/v1/processes/CardsProcChangePin", { cardId: ids.change, oldPin, newPin });
      const wrong = await change("000000", "6543210");
      expect(wrong.status).toBe(403);
      expect(wrong.body.error).toMatchObject({
        code: "pkcs11.pin_incorrect",
        message: `Card ${card.cardNumber} refused the old PIN: it is wrong (CKR_PIN_INCORRECT).`,
      });
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
      const changed = await change(card.pin, "6543210");
      expect(changed.status).toBe(200);
      expect(reader.pinOpens(card.cardNumber, "6543210")).toBe(true);
      expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
      const entries = (await history(ids.change)).filter((e) => e.action === "CardsProcChangePin");
      expect(entries.map((e) => [e.outcome, e.details.code])).toEqual([
        ["refused", "pkcs11.pin_incorrect"],
        ["success", undefined],
      ]);
      expect(JSON.stringify(entries)).not.toContain("6543210");
    });

    describe("the PUK for a desk's own reader", () => {
      const fetchPuk = (client: ApiClient, cardId: string) => client("POST", `/api/v1/cards/${cardId}/puk`);

      it("answers the helpdesk the card's PUK, not to be cached, and records the disclosure", async () => {
        const answer = await fetchPuk(helpdesk, ids.unblock);
        expect(answer.status).toBe(200);
        expect(answer.headers["cache-control"]).toBe("no-store");
        expect(answer.body).toEqual({
          cardNumber: cards.unblock.cardNumber,
          tokenSerial: serialOfToken(module, cards.unblock.cardNumber),
          puk: cards.unblock.puk,
          // The PUK the desk is to make the chip's SO PIN after its unblock: as long as the PUK.
          nextPuk: expect.stringMatching(/^\d{8}$/),
          pukCandidates: [cards.unblock.puk],
          pukPrinted: false,
        });
        expect(answer.body.nextPuk).not.toBe(cards.unblock.puk);
        const disclosed = (await history(ids.unblock)).filter((e) => e.action === "card.disclosePuk");
        expect(disclosed).toEqual([
          expect.objectContaining({
            outcome: "success",
            operatorName: "helpdesk",
            details: { cardNumber: cards.unblock.cardNumber, tokenSerial: answer.body.tokenSerial },
          }),
        ]);
        expect(JSON.stringify(disclosed)).not.toContain(cards.unblock.puk);
        expect(JSON.stringify(disclosed)).not.toContain(answer.body.nextPuk);
      });

      it("refuses a software card and a card that is not active, and records each refusal", async () => {
        const software = await fetchPuk(helpdesk, ids.software);
        expect([software.status, software.body.error.code]).toEqual([409, "card.not_chip"]);
        const deactivated = await helpdesk("POST", "/api/v1/processes/CardsProcDeactivate", {
          cardId: ids.removed,
        });
        expect(deactivated.status).toBe(200);
        const inactive = await fetchPuk(helpdesk, ids.removed);
        expect([inactive.status, inactive.body.error.code]).toEqual([409, "card.state_not_allowed"]);
        expect(inactive.body).not.toHaveProperty("puk");
        const refusals = [ids.software, ids.removed].map(async (id) =>
          (await history(id)).filter((e) => e.action === "card.disclosePuk").map((e) => e.outcome),
        );
        expect(await Promise.all(refusals)).toEqual([["refused"], ["refused"]]);
      });

      it("refuses every role but the helpdesk", async () => {
        await t.operator("auditor", ["auditor", "administrator", "securityOfficer"]);
        const other = apiAs(t.server, await t.login("auditor"));
        const answer = await fetchPuk(other, ids.unblock);
        expect([answer.status, answer.body.error.code]).toEqual([403, "auth.forbidden"]);
      });

      /** What the desk does on the chip between the disclosure and the confirmation: C_SetPIN as SO. */
      const setSoPinOnChip = (cardNumber: string, soPin: string, newSoPin: string) => {
        const so = openTokenSession(module, serialOfToken(module, cardNumber), { as: "so", pin: soPin });
        try {
          so.changePin(soPin, newSoPin);
        } finally {
          so.close();
        }
      };
      const confirmRotation = (client: ApiClient, cardId: string) =>
        client("POST", `/api/v1/cards/${cardId}/puk/rotated`, {});

      describe("rotated after the desk's unblock", () => {
        it("a disclosure keeps the next PUK pending; another before the rotation is confirmed answers the same one and both PUKs the chip may have", async () => {
          const card = cards.rotate;
          const first = await fetchPuk(helpdesk, ids.rotate);
          expect(first.status).toBe(200);
          expect(await storedPukPair(t, ids.rotate)).toEqual({
            stored: card.puk,
            pending: first.body.nextPuk,
          });
          const again = await fetchPuk(helpdesk, ids.rotate);
          expect(again.body).toMatchObject({
            puk: card.puk,
            nextPuk: first.body.nextPuk,
            pukCandidates: [card.puk, first.body.nextPuk],
          });
        });

        it("confirming makes the next PUK the card's, recorded once; a repeat changes nothing; the server's Unblock PIN then uses it", async () => {
          const card = cards.rotate;
          const { nextPuk } = (await fetchPuk(helpdesk, ids.rotate)).body;
          setSoPinOnChip(card.cardNumber, card.puk, nextPuk);
          for (const _ of [1, 2]) {
            const confirmed = await confirmRotation(helpdesk, ids.rotate);
            expect([confirmed.status, confirmed.body]).toEqual([
              200,
              { cardNumber: card.cardNumber, tokenSerial: serialOfToken(module, card.cardNumber) },
            ]);
          }
          expect(await storedPukPair(t, ids.rotate)).toEqual({ stored: nextPuk, pending: null });
          const rotated = (await history(ids.rotate)).filter((e) => e.action === "card.rotatePuk");
          expect(rotated).toEqual([
            expect.objectContaining({
              outcome: "success",
              operatorName: "helpdesk",
              details: expect.objectContaining({ cardNumber: card.cardNumber }),
            }),
          ]);
          expect(JSON.stringify(await history(ids.rotate))).not.toContain(nextPuk);
          // The next disclosure answers the rotated PUK, and a fresh next one.
          const after = await fetchPuk(helpdesk, ids.rotate);
          expect(after.body).toMatchObject({ puk: nextPuk, pukCandidates: [nextPuk] });
          expect([card.puk, nextPuk]).not.toContain(after.body.nextPuk);
          // This server's own Unblock PIN logs in with the rotated PUK, and drops the unused pending one.
          expect((await unblock(ids.rotate, "2323232")).status).toBe(200);
          expect(reader.pinOpens(card.cardNumber, "2323232")).toBe(true);
          expect(await storedPukPair(t, ids.rotate)).toEqual({ stored: nextPuk, pending: null });
          expect((await history(ids.rotate)).at(-1)).toMatchObject({
            action: "CardsProcUnblockPin",
            details: { pukUsed: true, pukSettled: "stored" },
          });
        });

        it("confirming with no rotation pending: 409 card.no_pending_puk, nothing changes", async () => {
          const answer = await confirmRotation(helpdesk, ids.noRotation);
          expect([answer.status, answer.body.error.code]).toEqual([409, "card.no_pending_puk"]);
          expect(answer.body.error.message).toContain(cards.noRotation.cardNumber);
          expect(await storedPukPair(t, ids.noRotation)).toEqual({
            stored: cards.noRotation.puk,
            pending: null,
          });
          const actions = (await history(ids.noRotation)).map((e) => [e.action, e.outcome]);
          expect(actions).not.toContainEqual(["card.rotatePuk", "success"]);
        });

        it("refuses the confirmation to every role but the helpdesk; the PUK stays pending", async () => {
          await t.operator("rotator", ["auditor", "administrator", "securityOfficer"]);
          const other = apiAs(t.server, await t.login("rotator"));
          const { nextPuk } = (await fetchPuk(helpdesk, ids.noRotation)).body;
          const answer = await confirmRotation(other, ids.noRotation);
          expect([answer.status, answer.body.error.code]).toEqual([403, "auth.forbidden"]);
          expect(await storedPukPair(t, ids.noRotation)).toEqual({
            stored: cards.noRotation.puk,
            pending: nextPuk,
          });
        });

        it("a desk that set the next PUK and never confirmed: this server's Unblock PIN tries both, unblocks, and settles on the next PUK", async () => {
          const card = cards.crash;
          const { nextPuk } = (await fetchPuk(helpdesk, ids.crash)).body;
          setSoPinOnChip(card.cardNumber, card.puk, nextPuk);
          const answer = await unblock(ids.crash, "3434343");
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          expect(reader.pinOpens(card.cardNumber, "3434343")).toBe(true);
          expect(await storedPukPair(t, ids.crash)).toEqual({ stored: nextPuk, pending: null });
          expect((await history(ids.crash)).at(-1)).toMatchObject({
            action: "CardsProcUnblockPin",
            outcome: "success",
            details: { pukUsed: true, pukSettled: "pending" },
          });
          expect((await fetchPuk(helpdesk, ids.crash)).body).toMatchObject({
            puk: nextPuk,
            pukCandidates: [nextPuk],
          });
        });

        it("a desk that stopped before setting it: the stored PUK unblocks and the pending one is dropped", async () => {
          const card = cards.abandoned;
          const { nextPuk } = (await fetchPuk(helpdesk, ids.abandoned)).body;
          expect((await unblock(ids.abandoned, "4545454")).status).toBe(200);
          expect(reader.pinOpens(card.cardNumber, "4545454")).toBe(true);
          expect(await storedPukPair(t, ids.abandoned)).toEqual({ stored: card.puk, pending: null });
          const next = (await fetchPuk(helpdesk, ids.abandoned)).body;
          expect(next).toMatchObject({ puk: card.puk, pukCandidates: [card.puk] });
          expect(next.nextPuk).not.toBe(nextPuk);
        });
      });

      it("gives one operator at most 20 PUKs an hour, and records the refusal", async () => {
        await t.operator("desk2", ["helpdesk"]);
        const desk = apiAs(t.server, await t.login("desk2"));
        for (let i = 0; i < pukDisclosuresPerHour; i++)
          expect((await fetchPuk(desk, ids.unblock)).status).toBe(200);
        const refused = await fetchPuk(desk, ids.unblock);
        expect([refused.status, refused.body.error.code]).toEqual([429, "card.puk_limit"]);
        expect(refused.body).not.toHaveProperty("puk");
        expect(
          (await history(ids.unblock)).filter((e) => e.action === "card.disclosePuk").at(-1),
        ).toMatchObject({
          outcome: "refused",
          operatorName: "desk2",
        });
        // Another operator is not held back, and an hour later neither is this one.
        expect((await fetchPuk(helpdesk, ids.unblock)).status).toBe(200);
        t.clock.advance(3_600_001);
        const later = apiAs(t.server, await t.login("desk2"));
        expect((await fetchPuk(later, ids.unblock)).status).toBe(200);
      });
    });
  });
});
