/**
 * The seed page's use case, word for word, in the browser: log in as a production administrator →
 * BATCH ORDERS → Issue multiple cards → Search → tick three cards → Issue multiple cards → Next →
 * the progress reaches done → the three cards are `issued`, the others stay `approved`.
 *
 * It needs the batch API (CardsBoProcIssueMultiple, GET /api/v1/batches/{id}); once that exists,
 * call it from operator-ui.test.ts:
 *
 *   it("issues three cards through the seed's flow, then activates one", async () => {
 *     const [first] = await issueThreeCardsThroughTheSeedFlow(ui, browser);
 *     await activateCardThroughTheUi(ui, browser, first!);
 *   });
 */
import type { Browser } from "playwright-core";
import { expect } from "vitest";
import { readCard, seedApprovedCards } from "./fixtures.js";
import {
  errorsThrownBy,
  followMainNavigation,
  logIn,
  openPage,
  screenshot,
  type UiServer,
} from "./support.js";

/** Returns the ids of the three cards it issued. */
export async function issueThreeCardsThroughTheSeedFlow(ui: UiServer, browser: Browser): Promise<string[]> {
  const cardIds = await seedApprovedCards(ui.t, 5);
  const numbers = (await Promise.all(cardIds.map((id) => readCard(ui.t, id)))).map((card) => card.cardNumber);
  const page = await openPage(browser);
  try {
    await logIn(page, ui.baseUrl, "production");
    // "In the BATCH ORDERS page, select Issue multiple cards."
    await followMainNavigation(page, "BATCH ORDERS");
    await page.getByRole("link", { name: "Issue multiple cards" }).click();
    // "Click Search to get a list of all cards in status approved."
    await page.getByRole("button", { name: "Search", exact: true }).click();
    // "Select the check boxes for the cards that shall be issued."
    for (const number of numbers.slice(0, 3))
      await page.getByRole("checkbox", { name: new RegExp(`^Select card ${number}`) }).check();
    await expect.poll(() => page.getByTestId("selection-count").textContent()).toBe("3 cards selected");
    // "Click Issue multiple cards."
    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    // "Click Next to issue the cards."
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/batches\//);
    await screenshot(page, "batch-running");
    await page.getByText("Completed", { exact: true }).first().waitFor({ timeout: 60_000 });
    for (const [name, value] of [
      ["done", "3"],
      ["failed", "0"],
      ["left", "0"],
      ["total", "3"],
    ])
      expect(await page.getByTestId(`batch-${name}`).textContent()).toBe(value);
    await page.getByRole("link", { name: /^Print file/ }).waitFor();

    await page.getByRole("heading", { name: "Card faces" }).waitFor();
    await page.getByRole("img", { name: new RegExp(`card ${numbers[0]}$`) }).waitFor();
    await screenshot(page, "batch-completed");

    const after = await Promise.all(cardIds.map((id) => readCard(ui.t, id)));
    expect(after.slice(0, 3).map((c) => c.state)).toEqual(["issued", "issued", "issued"]);
    expect(after.slice(3).map((c) => c.state)).toEqual(["approved", "approved"]);

    // The card page shows what the batch made: the card issued, its certificates on hold.
    await page.goto(`${ui.baseUrl}/cards/${cardIds[0]}`);
    const certificates = page.getByRole("table", { name: "Certificates of the card" });
    await expect.poll(() => certificates.getByText("On hold").count()).toBe(2);
    await screenshot(page, "card-issued");
    expect(errorsThrownBy(page)).toEqual([]);
  } finally {
    await page.context().close();
  }
  return cardIds.slice(0, 3);
}

/**
 * The holder has received the card: an issuing authority opens it and activates it, and its
 * certificates become valid. Needs CardsProcActivate; call it with a card the seed flow issued.
 */
export async function activateCardThroughTheUi(
  ui: UiServer,
  browser: Browser,
  cardId: string,
): Promise<void> {
  const page = await openPage(browser);
  try {
    await logIn(page, ui.baseUrl, "issuer");
    await page.goto(`${ui.baseUrl}/cards/${cardId}`);
    await page.getByRole("button", { name: "Activate card" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Activate card" }).click();
    await dialog.waitFor({ state: "detached" });
    const certificates = page.getByRole("table", { name: "Certificates of the card" });
    await expect.poll(() => certificates.getByText("Valid", { exact: true }).count()).toBe(2);
    expect((await readCard(ui.t, cardId)).state).toBe("active");
    await screenshot(page, "card-activated");
    expect(errorsThrownBy(page)).toEqual([]);
  } finally {
    await page.context().close();
  }
}
