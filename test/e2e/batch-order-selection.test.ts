/**
 * Picking the cards of a batch order (issue 13, finding 4): "select all N matching", then
 * unticking one, orders all N but that one (it ordered the current page minus one: 84 → 49);
 * picks made by hand survive a page change and a new search; a click on a row ticks it; Back,
 * Forward and reload keep the step and the selection; after Next the batch page says what was
 * ordered and what comes next.
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { apiAsOperator, readCard, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

describeInChromium("choosing the cards of a batch order in Chromium", (suite) => {
  /** The approved cards no batch holds, as the database has them. */
  const freeApprovedCards = async () =>
    (
      await suite.ui.t.app.services.store.db
        .selectFrom("cards")
        .select("id")
        .where("state", "=", "approved")
        .where("batch_id", "is", null)
        .execute()
    ).map((c) => c.id);
  /** The cards a batch took, as the database has them. */
  const cardsOfBatch = async (batchId: string) =>
    (
      await suite.ui.t.app.services.store.db
        .selectFrom("batch_items")
        .select("card_id")
        .where("batch_id", "=", batchId)
        .execute()
    ).map((i) => i.card_id);
  const checkbox = (page: Page, cardNumber: string) =>
    page.getByRole("checkbox", { name: new RegExp(`^Select card ${cardNumber} `) });
  const row = (page: Page, cardNumber: string) =>
    page.getByRole("row").filter({ has: checkbox(page, cardNumber) });
  const count = (page: Page) => page.getByTestId("selection-count").textContent();
  const batchIdOf = (page: Page) => new URL(page.url()).pathname.replace("/batches/", "");

  async function openIssueMultipleCards(page: Page) {
    await page.goto(`${suite.ui.baseUrl}/batch-orders/issue-multiple-cards`);
    await page.getByRole("heading", { name: "Issue multiple cards" }).waitFor();
  }
  async function search(page: Page, q = "") {
    await page.getByRole("textbox", { name: "Holder name or card number" }).fill(q);
    await page.getByRole("button", { name: "Search", exact: true }).click();
  }

  it("select all N matching, then untick one: exactly N−1 cards are ordered", async () => {
    const { t } = suite.ui;
    await seedApprovedCards(t, 84);
    await t.app.runner.stop(); // the claim is what is checked here, not the production
    const matching = await freeApprovedCards();
    const n = matching.length;
    expect(n).toBeGreaterThan(50); // more than one page of the search

    const page = await suite.openAs("production");
    await openIssueMultipleCards(page);
    await search(page);
    await page.getByText(`1–50 of ${n} approved cards`).waitFor();
    await page.getByRole("button", { name: `Select all ${n} matching` }).click();
    expect(await count(page)).toBe(`All ${n} matching cards selected`);

    // Untick the second card of the first page by clicking its row (not its link).
    const secondBox = page.getByRole("checkbox", { name: /^Select card / }).nth(1);
    const unticked = /^Select card (\S+) /.exec((await secondBox.getAttribute("aria-label"))!)![1]!;
    await row(page, unticked).getByRole("cell").nth(2).click();
    expect(await checkbox(page, unticked).isChecked()).toBe(false);
    expect(await count(page)).toBe(`${n - 1} cards selected: all ${n} matching but 1`);

    // The next page is all ticked still; back on the first, the unticked card stays unticked.
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText(`51–${n} of ${n} approved cards`).waitFor();
    const boxes = page.getByRole("checkbox", { name: /^Select card / });
    expect(await boxes.count()).toBe(n - 50);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText(`1–50 of ${n} approved cards`).waitFor();
    expect(await checkbox(page, unticked).isChecked()).toBe(false);
    expect(await count(page)).toBe(`${n - 1} cards selected: all ${n} matching but 1`);
    await screenshot(page, "issue-multiple-cards-all-but-one");

    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    // Not "… matching but 1 of 2 templates": the search took any template, and these are of one.
    await page
      .getByText(
        `You are about to issue ${n - 1} cards: all ${n} matching but 1. Check the options, then click Next.`,
        { exact: true },
      )
      .waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/batches\//);

    const batchId = batchIdOf(page);
    const summary = page.getByTestId("order-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain(`ordered: ${n - 1} cards`);
    const ordered = await cardsOfBatch(batchId);
    expect(ordered).toHaveLength(n - 1);
    const left = await freeApprovedCards();
    expect(left).toHaveLength(1);
    expect((await readCard(t, left[0]!)).cardNumber).toBe(unticked);
    expect(ordered.sort()).toEqual(matching.filter((id) => id !== left[0]).sort());
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
    // Leave no card held for the next test.
    const production = await apiAsOperator(t, "production");
    expect((await production("POST", `/api/v1/batches/${batchId}/cancel`)).status).toBe(200);
  });

  it("keeps picks across pages and a new search; rows tick on a click; Back, Forward and reload keep the step", async () => {
    const { t } = suite.ui;
    await t.app.runner.stop();
    const free = await freeApprovedCards();
    expect(free.length).toBeGreaterThan(50);
    const page = await suite.openAs("production");
    await openIssueMultipleCards(page);
    await search(page);
    await page.getByText(`1–50 of ${free.length} approved cards`).waitFor();
    const boxes = page.getByRole("checkbox", { name: /^Select card / });
    const numberOf = async (i: number) =>
      /^Select card (\S+) /.exec((await boxes.nth(i).getAttribute("aria-label"))!)![1]!;

    // A click on a row ticks it; the check box is the keyboard's way: Tab to it, Space.
    const first = await numberOf(0);
    await row(page, first).getByRole("cell").nth(4).click();
    expect(await checkbox(page, first).isChecked()).toBe(true);
    const second = await numberOf(3);
    await checkbox(page, second).focus();
    await page.keyboard.press("Space");
    expect(await checkbox(page, second).isChecked()).toBe(true);
    expect(await count(page)).toBe("2 cards selected");

    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText(`51–${free.length} of ${free.length} approved cards`).waitFor();
    const third = await numberOf(0);
    await row(page, third).getByRole("cell").nth(2).click();
    expect(await count(page)).toBe("3 cards selected");
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText(`1–50 of ${free.length} approved cards`).waitFor();
    expect(await checkbox(page, first).isChecked()).toBe(true);
    expect(await checkbox(page, second).isChecked()).toBe(true);

    // A new search keeps the picks: the count says so, and one more is ticked among its results.
    let fourth = "";
    for (const id of free) {
      fourth = (await readCard(t, id)).cardNumber;
      if (![first, second, third].includes(fourth)) break;
    }
    await search(page, fourth);
    await page.getByText("1–1 of 1 approved card").waitFor();
    expect(await count(page)).toBe("3 cards selected");
    await checkbox(page, fourth).check();
    expect(await count(page)).toBe("4 cards selected");
    await search(page);
    await page.getByText(`1–50 of ${free.length} approved cards`).waitFor();
    expect(await checkbox(page, first).isChecked()).toBe(true);
    expect(await count(page)).toBe("4 cards selected");
    await screenshot(page, "issue-multiple-cards-picks-kept");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The options step: focus moves to it; Back, Forward and reload keep the step and the picks.
    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Step 2: Options");
    await page.goBack();
    await page.getByText(`1–50 of ${free.length} approved cards`).waitFor();
    expect(await count(page)).toBe("4 cards selected");
    await page.goForward();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    await page
      .getByText(
        "You are about to issue 4 cards of the template Employee ID. Check the options, then click Next.",
        {
          exact: true,
        },
      )
      .waitFor();

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/batches\//);
    const summary = page.getByTestId("order-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain("ordered: 4 cards");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid")))
      .toBe("order-summary");
    expect(await summary.getByRole("link", { name: "All batches" }).count()).toBe(1);
    const numbers = await Promise.all(
      (await cardsOfBatch(batchIdOf(page))).map(async (id) => (await readCard(t, id)).cardNumber),
    );
    expect(numbers.sort()).toEqual([first, second, third, fourth].sort());
    await screenshot(page, "issue-multiple-cards-ordered");

    // The order is done: opening Issue multiple cards again starts with nothing selected.
    await openIssueMultipleCards(page);
    expect(await count(page)).toBe("No card selected");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("counts for Select all only the cards no running batch holds, and orders exactly those", async () => {
    const { t } = suite.ui;
    await t.app.runner.stop();
    const production = await apiAsOperator(t, "production");
    const held = (await freeApprovedCards()).slice(0, 3);
    const holding = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: held });
    expect(holding.status).toBe(202);
    const free = await freeApprovedCards();
    const approved = await t.app.services.store.db
      .selectFrom("cards")
      .select("id")
      .where("state", "=", "approved")
      .execute();
    expect(approved.length - free.length).toBeGreaterThanOrEqual(held.length);

    const page = await suite.openAs("production");
    await openIssueMultipleCards(page);
    await search(page);
    // The list shows every approved card, the held ones unticked and disabled; Select all counts the others.
    await page.getByText(`1–50 of ${approved.length} approved cards`).waitFor();
    await page.getByRole("button", { name: `Select all ${free.length} matching` }).click();
    expect(await count(page)).toBe(`All ${free.length} matching cards selected`);
    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/batches\//);
    await page.getByTestId("order-summary").waitFor();
    expect(await page.getByTestId("order-summary").textContent()).toContain(`ordered: ${free.length} cards`);
    expect((await cardsOfBatch(batchIdOf(page))).sort()).toEqual([...free].sort());
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
