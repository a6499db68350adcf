/**
 * Cancel batch as the operator met it (issue 13, finding 1): cards ticked, Next, then Cancel
 * batch at once while every card is already in production (at the deployment's chunk size, 81
 * cards are one chunk). The server finishes them all; the page and the dashboard, never
 * reloaded, follow the batch until production has really ended and then say "Cancelled — 9
 * produced, 0 returned to approved", the figures the API and the database hold.
 */
import { expect, it } from "vitest";
import { leaseChunkElsewhere } from "../../src/test-support/batches.js";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import {
  batchFigures,
  cancelBatchOnItsPage,
  describeInChromium,
  errorsThrownBy,
  screenshot,
} from "./support.js";

describeInChromium("Cancel batch right after Next in Chromium", (suite) => {
  it("follows the cancelled batch to its end and reports what was produced and what went back", async () => {
    const { t } = suite.ui;
    const cardIds = await seedApprovedCards(t, 9);
    await t.app.runner.stop();
    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/batch-orders/issue-multiple-cards`);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("checkbox", { name: "Select page" }).check();
    expect(await page.getByTestId("selection-count").textContent()).toBe("9 cards selected");
    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toMatch(/^\/batches\//);
    const batchId = new URL(page.url()).pathname.replace("/batches/", "");
    const production = await apiAsOperator(t, "production");
    const { number } = (await production("GET", `/api/v1/batches/${batchId}`)).body;

    // The dashboard, open in another tab, follows the batch too.
    const dashboard = await page.context().newPage();
    await dashboard.goto(`${suite.ui.baseUrl}/`);
    const dashboardRow = dashboard
      .getByRole("row")
      .filter({ has: dashboard.getByRole("link", { name: "Issue multiple cards" }) });
    await dashboardRow.getByText("Running", { exact: true }).waitFor();

    // Every chunk (4 + 4 + 1 cards in tests) is being produced when the operator cancels.
    for (const chunk of [1, 2, 3]) await leaseChunkElsewhere(t, { batchId, chunk, attempts: 1 });
    await expect.poll(() => page.getByTestId("batch-in-production").textContent()).toBe("9");
    await cancelBatchOnItsPage(page, { inProduction: 9, notStarted: 0 });
    expect((await production("GET", `/api/v1/batches/${batchId}`)).body).toMatchObject({
      state: "cancelled",
      finishing: true,
      inProduction: 9,
      released: 0,
      done: 0,
    });
    await dashboardRow.getByText("Cancelled — finishing", { exact: true }).waitFor();

    // The cards in production are finished; neither page is reloaded.
    t.app.runner.start();
    await t.app.runner.idle();
    await expect
      .poll(() => page.getByTestId("batch-outcome").textContent(), { timeout: 15_000 })
      .toBe("Cancelled — 9 produced, 0 returned to approved");
    const figures = { done: "9", "in-production": "0", returned: "0", total: "9" };
    expect(await batchFigures(page, figures)).toEqual(figures);
    await page.getByRole("link", { name: /^Print file/ }).waitFor();
    await screenshot(page, "batch-cancelled-after-next");
    await dashboardRow.getByText("Cancelled", { exact: true }).waitFor({ timeout: 15_000 });
    expect(await dashboardRow.textContent()).toContain("9 / 9");

    // What the page says is what the API and the database hold.
    const read = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    expect(read).toMatchObject({ number, state: "cancelled", finishing: false, done: 9, released: 0 });
    expect(read.finishedAt).not.toBeNull();
    const { db } = t.app.services.store;
    const cards = await db
      .selectFrom("cards")
      .select(["state", "batch_id"])
      .where("id", "in", cardIds)
      .execute();
    expect(cards.map((c) => c.state)).toEqual(Array(9).fill("issued"));
    const certificates = await db
      .selectFrom("certificates")
      .select("state")
      .where("card_id", "in", cardIds)
      .execute();
    expect(certificates.length).toBeGreaterThanOrEqual(9);
    expect(new Set(certificates.map((c) => c.state))).toEqual(new Set(["onHold"]));
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
