import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import { openTokenSession } from "../pkcs11/card-token.js";
import type { Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { findHistoryOf } from "../store/audit-log.js";
import { insertBatch } from "../store/batches.js";
import {
  chipTemplate,
  createCardToken,
  insertActiveCard,
  insertActiveChipCards,
  serialOfToken,
  storedPukPair,
} from "../test-support/chip-cards.js";
import { deskArgs, runCardCommand as tessera } from "../test-support/cli.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  softHsmModule,
} from "../test-support/softhsm.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Issue 10: "`tessera card unblock --card NUMBER` run at the desk fetches the PUK for that one
 * card through the API (helpdesk role, audited, only for a card in a state that allows it) and
 * does the same locally", and Change PIN at the same places. The built command line runs as a
 * desk would, against a running server; pkcs11-tool judges the card.
 */
const template = chipTemplate("Desk chip");

describe.skipIf(!hasSoftHsm())("tessera card unblock / change-pin at a desk with its own reader", () => {
  let reader: BlankCardReader;
  let t: TestApp;
  let url: string;
  let helpdeskToken: string;
  let officerToken: string;
  /** A local port nothing listens on. */
  let closedPort: number;
  const cards = {
    unblock: { cardNumber: "9100000001", puk: "12121212", stored: "12121212", pin: "101010" },
    change: { cardNumber: "9100000002", puk: "23232323", stored: "23232323", pin: "202020" },
    wrongPuk: { cardNumber: "9100000003", puk: "34343434", stored: "45454545", pin: "303030" },
    printed: { cardNumber: "9100000004", puk: "56565656", stored: "56565656", pin: "404040" },
    crash: { cardNumber: "9100000005", puk: "67676767", stored: "67676767", pin: "505050" },
  };
  const ids: Record<string, string> = {};

  let module: Pkcs11Module;

  beforeAll(async () => {
    reader = createBlankCardReader(0);
    for (const card of Object.values(cards)) createCardToken(reader, card);
    t = await createTestApp("sqlite", { config: { templates: [...demoTemplates, template] } });
    module = t.app.services.chipStation.moduleFor(template.pkcs11!);
    const registrar = await t.operator("registrar", ["registrationOfficer"]);
    Object.assign(ids, await insertActiveChipCards(t, registrar, module, cards, () => template.name));
    // The batch that made the card printed its PUK on the PIN letter.
    const at = t.clock().toISOString();
    const { db } = t.app.services.store;
    await insertBatch(
      db,
      {
        id: "printed-puks",
        process: "CardsBoProcIssueMultiple",
        options: {
          pinLength: 6,
          pukLength: 8,
          certificates: null,
          cardEndState: "active",
          certificateEndState: "valid",
          pukPrinted: true,
        },
        createdBy: registrar.id,
        createdByName: registrar.username,
        chunks: 1,
        total: 1,
      },
      at,
    );
    await db
      .insertInto("batch_items")
      .values({
        batch_id: "printed-puks",
        card_id: ids.printed!,
        seq: 1,
        chunk: 0,
        state: "done",
        updated_at: at,
      })
      .execute();
    ids.software = await insertActiveCard(t, registrar, {
      cardNumber: "9100000009",
      template: "Employee ID",
      serial: null,
      puk: null,
    });
    const tokenOf = async (username: string, roles: Parameters<typeof t.operator>[1]) => {
      await t.operator(username, roles);
      const created = await apiAs(t.server, await t.login(username))("POST", "/api/v1/tokens", {
        name: "desk",
      });
      return created.body.token as string;
    };
    helpdeskToken = await tokenOf("desk", ["helpdesk"]);
    officerToken = await tokenOf("officer", ["securityOfficer", "registrationOfficer"]);
    url = await t.server.listen({ port: 0, host: "127.0.0.1" });
    closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
  });
  afterAll(async () => {
    await t?.close();
    reader?.remove();
  });

  const desk = (sub: string, cardNumber: string) => deskArgs(sub, cardNumber, { url, module: softHsmModule });

  it("unblocks the card in the desk's reader with its PUK from the server, recorded as disclosed", async () => {
    const card = cards.unblock;
    const result = await tessera(desk("unblock", card.cardNumber), {
      TESSERA_API_TOKEN: helpdeskToken,
      TESSERA_NEW_PIN: "5858585",
    });
    expect(result.stderr).toBe("");
    expect([result.status, result.stdout]).toEqual([
      0,
      `The PIN of card ${card.cardNumber} is unblocked: the holder's new PIN is set.\n`,
    ]);
    expect(reader.pinOpens(card.cardNumber, "5858585")).toBe(true);
    expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
    const history = await findHistoryOf(t.app.services.store.db, "card", ids.unblock!);
    expect(history.filter((e) => e.action === "card.disclosePuk")).toEqual([
      expect.objectContaining({ outcome: "success", operatorName: "desk" }),
    ]);
    // The disclosed PUK is the chip's SO PIN no more: the card's new PUK, stored, is.
    const { stored, pending } = await storedPukPair(t, ids.unblock!);
    expect([stored, pending]).toEqual([expect.stringMatching(/^\d{8}$/), null]);
    expect(stored).not.toBe(card.puk);
    expect(reader.soPinWorks(card.cardNumber, card.puk)).toBe(false);
    expect(reader.soPinWorks(card.cardNumber, stored!)).toBe(true);
    expect(history.filter((e) => e.action === "card.rotatePuk")).toEqual([
      expect.objectContaining({ outcome: "success", operatorName: "desk" }),
    ]);
    expect(JSON.stringify(history)).not.toContain(stored);
  });

  it("says the PUK printed on the holder's PIN letter no longer works, when its batch printed it", async () => {
    const card = cards.printed;
    const result = await tessera(desk("unblock", card.cardNumber), {
      TESSERA_API_TOKEN: helpdeskToken,
      TESSERA_NEW_PIN: "6868686",
    });
    expect([result.status, result.stdout, result.stderr]).toEqual([
      0,
      `The PIN of card ${card.cardNumber} is unblocked: the holder's new PIN is set. The PUK on the holder's PIN letter no longer works.\n`,
      "",
    ]);
    expect(reader.pinOpens(card.cardNumber, "6868686")).toBe(true);
    expect(reader.soPinWorks(card.cardNumber, card.puk)).toBe(false);
    expect(reader.soPinWorks(card.cardNumber, (await storedPukPair(t, ids.printed!)).stored!)).toBe(true);
  });

  it("a desk that set the new PUK and stopped before confirming it: the next unblock still works and settles", async () => {
    const card = cards.crash;
    // The first desk: given the PUK, it set the next one as the chip's SO PIN, and stopped.
    const desk1 = apiAs(t.server, await t.login("desk"));
    const { nextPuk } = (await desk1("POST", `/api/v1/cards/${ids.crash}/puk`)).body;
    const so = openTokenSession(module, serialOfToken(module, card.cardNumber), { as: "so", pin: card.puk });
    try {
      so.changePin(card.puk, nextPuk);
    } finally {
      so.close();
    }
    expect(await storedPukPair(t, ids.crash!)).toEqual({ stored: card.puk, pending: nextPuk });

    const result = await tessera(desk("unblock", card.cardNumber), {
      TESSERA_API_TOKEN: helpdeskToken,
      TESSERA_NEW_PIN: "7979797",
    });
    expect([result.status, result.stdout, result.stderr]).toEqual([
      0,
      `The PIN of card ${card.cardNumber} is unblocked: the holder's new PIN is set.\n`,
      "",
    ]);
    expect(reader.pinOpens(card.cardNumber, "7979797")).toBe(true);
    const { stored, pending } = await storedPukPair(t, ids.crash!);
    expect(pending).toBeNull();
    expect(reader.soPinWorks(card.cardNumber, stored!)).toBe(true);
    expect(reader.soPinWorks(card.cardNumber, card.puk)).toBe(false);
    // The next PUK the first desk was given is settled, then retired too: it was not only this desk's.
    expect(stored).not.toBe(nextPuk);
    expect(reader.soPinWorks(card.cardNumber, nextPuk)).toBe(false);
    const history = await findHistoryOf(t.app.services.store.db, "card", ids.crash!);
    expect(history.filter((e) => e.action === "card.rotatePuk").map((e) => e.outcome)).toEqual([
      "success",
      "success",
    ]);
  });

  it("changes the PIN with the old one, both read from standard input", async () => {
    const card = cards.change;
    const wrong = await tessera(
      desk("change-pin", card.cardNumber),
      { TESSERA_API_TOKEN: helpdeskToken },
      "999999\n7070707\n",
    );
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(
      `tessera: Card ${card.cardNumber} refused the old PIN: it is wrong (CKR_PIN_INCORRECT). (pkcs11.pin_incorrect)\n`,
    );
    expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(true);
    const result = await tessera(
      desk("change-pin", card.cardNumber),
      { TESSERA_API_TOKEN: helpdeskToken },
      `${card.pin}\n7070707\n`,
    );
    expect([result.status, result.stdout, result.stderr]).toEqual([
      0,
      `The PIN of card ${card.cardNumber} is changed.\n`,
      "",
    ]);
    expect(reader.pinOpens(card.cardNumber, "7070707")).toBe(true);
    expect(reader.pinOpens(card.cardNumber, card.pin)).toBe(false);
  });

  it.each([
    [
      "a PUK that does not match the card",
      () => desk("unblock", cards.wrongPuk.cardNumber),
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "6161616" }),
      1,
      `tessera: Card ${cards.wrongPuk.cardNumber} refused its stored PUK: the PUK does not match the card (CKR_PIN_INCORRECT). (pkcs11.pin_incorrect)\n`,
    ],
    [
      "a new PIN shorter than the card takes",
      () => desk("unblock", cards.wrongPuk.cardNumber),
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "123" }),
      1,
      `tessera: Card ${cards.wrongPuk.cardNumber} takes a PIN of 6 to 8 digits (its template "Desk chip"); the new PIN has 3. (pkcs11.pin_rejected)\n`,
    ],
    [
      "an operator who is not helpdesk",
      () => desk("unblock", cards.wrongPuk.cardNumber),
      () => ({ TESSERA_API_TOKEN: officerToken, TESSERA_NEW_PIN: "6161616" }),
      1,
      expect.stringMatching(/^tessera: the server refused \(403\): .*\(auth\.forbidden\)\n$/),
    ],
    [
      "a card number no card has",
      () => desk("unblock", "9199999999"),
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "6161616" }),
      1,
      "tessera: there is no card numbered 9199999999\n",
    ],
    [
      "a software card",
      () => desk("unblock", "9100000009"),
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "6161616" }),
      1,
      "tessera: card 9100000009 is a software token, not a chip card: it has no PIN to unblock\n",
    ],
    [
      "no API token",
      () => desk("unblock", cards.wrongPuk.cardNumber),
      () => ({ TESSERA_API_TOKEN: "", TESSERA_NEW_PIN: "6161616" }),
      2,
      expect.stringMatching(/^tessera: TESSERA_API_TOKEN must hold an API token of a helpdesk operator\n/),
    ],
    [
      "no new PIN",
      () => desk("unblock", cards.wrongPuk.cardNumber),
      () => ({ TESSERA_API_TOKEN: helpdeskToken }),
      2,
      expect.stringMatching(
        /^tessera: the new PIN is missing: set TESSERA_NEW_PIN or give it on standard input\n/,
      ),
    ],
    [
      "a server reached over plain http across the network",
      () => [
        "unblock",
        "--card",
        "9100000003",
        "--url",
        "http://tessera.example.org",
        "--module",
        softHsmModule,
      ],
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "6161616" }),
      2,
      expect.stringMatching(
        /^tessera: --url http:\/\/tessera\.example\.org is plain http: the PUK and the API token would cross the network in clear/,
      ),
    ],
    [
      "a server that is not there",
      () => [
        "unblock",
        "--card",
        "9100000003",
        "--url",
        `http://127.0.0.1:${closedPort}`,
        "--module",
        softHsmModule,
      ],
      () => ({ TESSERA_API_TOKEN: helpdeskToken, TESSERA_NEW_PIN: "6161616" }),
      1,
      expect.stringMatching(/^tessera: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/),
    ],
  ])("%s: a clear message, a non-zero exit, the card unchanged", async (_, args, env, status, stderr) => {
    const result = await tessera(args(), env());
    expect([result.status, result.stderr, result.stdout]).toEqual([status, stderr, ""]);
    expect(reader.pinOpens(cards.wrongPuk.cardNumber, cards.wrongPuk.pin)).toBe(true);
  });
});
