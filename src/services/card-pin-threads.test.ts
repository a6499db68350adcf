import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../domain/card-template.js";
import type { ApiClient } from "../test-support/api-setup.js";
import { chipTemplate, createCardToken, insertActiveChipCards } from "../test-support/chip-cards.js";
import { deskArgs, runCardCommand as tessera } from "../test-support/cli.js";
import { type LoggedCall, simulatedCardsForSuite } from "../test-support/simulated-card.js";
import { type BlankCardReader, createBlankCardReader } from "../test-support/softhsm.js";
import { apiAs, createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * Issue 10: Unblock PIN and Change PIN work on the chip in a reader's thread, as personalisation
 * does (`chip-readers.test.ts`): a real card takes hundreds of milliseconds to seconds per call,
 * and the main thread serves HTTP. The simulated card middleware over SoftHSM logs the OS thread
 * of every PKCS#11 call from inside the C library; a process's main thread has the process id.
 * The desk's command line works the same way.
 */
const simulated = simulatedCardsForSuite();
const tools = simulated !== undefined;

/** The calls made on the main thread of the process that made them. */
const onMainThread = (calls: readonly LoggedCall[]) =>
  calls.filter((call) => call.thread === call.process).map((call) => call.call);

describe.runIf(tools)("PIN processes call the chip from a reader's thread (simulated card)", () => {
  const template = chipTemplate("Chip PIN", "soLogin", 1, simulated?.path);
  const cards = {
    unblock: { cardNumber: "8300000001", puk: "13572468", pin: "135135" },
    change: { cardNumber: "8300000002", puk: "24681357", pin: "246246" },
    desk: { cardNumber: "8300000003", puk: "11335577", pin: "113113" },
    deskChange: { cardNumber: "8300000004", puk: "22446688", pin: "224224" },
  };
  const ids: Record<string, string> = {};
  let reader: BlankCardReader;
  let t: TestApp;
  let helpdesk: ApiClient;
  let url: string;
  let deskToken: string;

  beforeAll(async () => {
    reader = createBlankCardReader(0);
    for (const card of Object.values(cards)) createCardToken(reader, card);
    t = await createTestApp("sqlite", { config: { templates: [...demoTemplates, template] } });
    const registrar = await t.operator("registrar", ["registrationOfficer"]);
    await t.operator("helpdesk", ["helpdesk"]);
    helpdesk = apiAs(t.server, await t.login("helpdesk"));
    const module = t.app.services.chipStation.moduleFor(template.pkcs11!);
    Object.assign(ids, await insertActiveChipCards(t, registrar, module, cards, () => template.name));
    deskToken = (await helpdesk("POST", "/api/v1/tokens", { name: "desk" })).body.token;
    url = await t.server.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await t?.close();
    reader?.remove();
  });

  it("Unblock PIN and Change PIN, done and refused: no PKCS#11 call on the server's main thread", async () => {
    simulated!.clearLog();
    const unblocked = await helpdesk("POST", "/api/v1/processes/CardsProcUnblockPin", {
      cardId: ids.unblock,
      newPin: "9753102",
    });
    expect([unblocked.status, unblocked.body.error]).toEqual([200, undefined]);
    const wrongOld = await helpdesk("POST", "/api/v1/processes/CardsProcChangePin", {
      cardId: ids.change,
      oldPin: "000000",
      newPin: "8642097",
    });
    expect([wrongOld.status, wrongOld.body.error.code]).toEqual([403, "pkcs11.pin_incorrect"]);
    const changed = await helpdesk("POST", "/api/v1/processes/CardsProcChangePin", {
      cardId: ids.change,
      oldPin: cards.change.pin,
      newPin: "8642097",
    });
    expect([changed.status, changed.body.error]).toEqual([200, undefined]);

    const calls = simulated!.calls().filter((call) => call.process === process.pid);
    const names = new Set(calls.map((call) => call.call));
    for (const name of ["C_GetTokenInfo", "C_OpenSession", "C_Login", "C_InitPIN", "C_SetPIN", "C_Logout"])
      expect(names).toContain(name);
    expect(onMainThread(calls)).toEqual([]);
  });

  it("the desk's tessera card unblock and change-pin: no PKCS#11 call on the command's main thread", async () => {
    simulated!.clearLog();
    const desk = (sub: string, cardNumber: string) =>
      deskArgs(sub, cardNumber, { url, module: simulated!.path });
    const unblocked = await tessera(desk("unblock", cards.desk.cardNumber), {
      TESSERA_API_TOKEN: deskToken,
      TESSERA_NEW_PIN: "5757575",
    });
    expect([unblocked.status, unblocked.stderr]).toEqual([0, ""]);
    const changed = await tessera(desk("change-pin", cards.deskChange.cardNumber), {
      TESSERA_API_TOKEN: deskToken,
      TESSERA_OLD_PIN: cards.deskChange.pin,
      TESSERA_NEW_PIN: "4646464",
    });
    expect([changed.status, changed.stderr]).toEqual([0, ""]);

    const calls = simulated!.calls().filter((call) => call.process !== process.pid);
    expect(new Set(calls.map((call) => call.process)).size).toBe(2);
    const names = new Set(calls.map((call) => call.call));
    for (const name of ["C_GetTokenInfo", "C_Login", "C_InitPIN", "C_SetPIN"]) expect(names).toContain(name);
    expect(onMainThread(calls)).toEqual([]);
  });
});
