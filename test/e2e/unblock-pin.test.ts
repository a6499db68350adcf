/**
 * Issue 10, "Unblock PIN" on the card page: a chip card shows its token serial, and the helpdesk
 * is offered Unblock PIN with a field for the new PIN the holder chose. The chip (a SoftHSM
 * token this server's module reaches) is judged by pkcs11-tool.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTemplates } from "../../src/domain/card-template.js";
import { loggedInOperators, requestCardsForNewHolders } from "../../src/test-support/api-setup.js";
import {
  chipTemplate,
  createCardToken,
  insertActiveCard,
  serialOfToken,
} from "../../src/test-support/chip-cards.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  transportSoPin,
} from "../../src/test-support/softhsm.js";
import { createTestApp, type TestApp } from "../../src/test-support/test-app.js";
import { hasTool } from "../../src/test-support/tools.js";
import { ensureUiBuilt, errorsThrownBy, launchChromium, logIn, openPage, screenshot } from "./support.js";

const template = chipTemplate("Chip ID");
/** Cards of this one wait a minute for a blank card; the readers hold none. */
const waiting = chipTemplate("Chip waiting");
waiting.pkcs11 = { ...waiting.pkcs11!, blankCardWaitSeconds: 60 };
const card = { cardNumber: "9300000001", puk: "13131313", pin: "242424" };

describe.skipIf(!hasTool("chromium", "chromium") || !hasSoftHsm())(
  "Unblock PIN on the card page in Chromium",
  () => {
    let reader: BlankCardReader;
    let t: TestApp;
    let browser: Browser;
    let baseUrl: string;
    let cardId: string;
    let serial: string;

    beforeAll(async () => {
      ensureUiBuilt();
      reader = createBlankCardReader(0);
      // The module lists only the tokens present when it is initialised: make the card's first.
      createCardToken(reader, card);
      // A production station too: its batches' cards take blank cards from these readers.
      process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
      t = await createTestApp("sqlite", {
        options: { approvalStep: false },
        config: { templates: [...demoTemplates, template, waiting] },
      });
      serial = serialOfToken(t.app.services.chipStation.moduleFor(template.pkcs11!), card.cardNumber);
      const registrar = await t.operator("registrar", ["registrationOfficer"]);
      await t.operator("helpdesk", ["helpdesk"]);
      cardId = await insertActiveCard(t, registrar, {
        ...card,
        template: template.name,
        serial,
        puk: card.puk,
      });
      await t.server.listen({ port: 0, host: "127.0.0.1" });
      const address = t.server.server.address() as { port: number };
      baseUrl = `http://127.0.0.1:${address.port}`;
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
      reader?.remove();
      delete process.env.TESSERA_TRANSPORT_SO_PIN;
    });

    it("shows the token serial, and the helpdesk sets the holder's new PIN with the PUK", async () => {
      const page = await openPage(browser);
      await logIn(page, baseUrl, "helpdesk");
      await page.goto(`${baseUrl}/cards/${cardId}`);
      await page.getByText("Chip serial").waitFor();
      await expect.poll(() => page.getByText(serial, { exact: true }).count()).toBe(1);

      await page.getByRole("button", { name: "Unblock PIN" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("New PIN").fill("8642086");
      await screenshot(page, "card-unblock-pin");
      await dialog.getByRole("button", { name: "Unblock PIN" }).click();
      await page.getByText("Unblock PIN: done").waitFor();

      const opens = (pin: string) => {
        try {
          reader.pkcs11Tool("--token-label", card.cardNumber, "--login", "--pin", pin, "--list-objects");
          return true;
        } catch {
          return false;
        }
      };
      expect(opens("8642086")).toBe(true);
      expect(opens(card.pin)).toBe(false);
      await expect.poll(() => page.getByText(/The new PIN is set on chip/).count()).toBeGreaterThan(0);

      // Change PIN with a wrong old PIN: the chip's refusal is shown at the Old PIN field
      // (Mantine's PasswordInput marks it data-invalid, with the error as its description).
      await page.getByRole("button", { name: "Change PIN" }).click();
      const change = page.getByRole("dialog");
      await change.getByLabel("Old PIN").fill("1111111");
      await change.getByLabel("New PIN").fill("7531975");
      await change.getByRole("button", { name: "Change PIN" }).click();
      await change
        .getByText(/refused the old PIN/)
        .first()
        .waitFor();
      await expect.poll(() => change.getByLabel("Old PIN").getAttribute("data-invalid")).toBe("true");
      expect(opens("8642086")).toBe(true);
      expect(errorsThrownBy(page)).toEqual([]);
    });

    it("tells the batch's operators that its cards wait for blank cards at the station, until it is cancelled", async () => {
      const ops = await loggedInOperators(t, {
        registrar2: ["registrationOfficer"],
        production: ["productionAdministrator"],
      });
      const cardIds = await requestCardsForNewHolders(ops.registrar2, {
        lastName: "Hopper",
        count: 1,
        template: waiting.name,
      });
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      t.app.runner.start();
      const page = await openPage(browser);
      await logIn(page, baseUrl, "production");
      await page.goto(`${baseUrl}/batches/${order.body.batchId}`);
      const alert = page.getByTestId("batch-waiting-for-blank-cards");
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(
        /Waiting for blank cards.*No blank card is left in the readers of the production station\. Since .* this batch.s cards wait/,
      );
      await page.getByText("Waiting for blank cards", { exact: true }).first().waitFor();
      await screenshot(page, "batch-waiting-for-blank-cards");
      // Cancelled, the card stops waiting at once and goes back to approved, saying why; the notice goes.
      await page.getByRole("button", { name: "Cancel batch" }).click();
      await page
        .getByRole("dialog", { name: "Cancel the batch?" })
        .getByRole("button", { name: "Cancel batch" })
        .click();
      await page
        .getByText(/waited for a blank card when its batch was cancelled: it was not made/)
        .first()
        .waitFor({ timeout: 15_000 });
      await page.getByText("Returned to approved", { exact: true }).first().waitFor();
      expect(await alert.count()).toBe(0);
      expect(errorsThrownBy(page)).toEqual([]);
    });
  },
);
