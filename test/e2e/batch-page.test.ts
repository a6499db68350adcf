/**
 * The batch page tells the truth (issue 13, finding 1): after Cancel batch it keeps following
 * the chunks that were in production until they have finished, counts them apart from the
 * cards that went back to approved, and a batch with failed cards is not a green "Completed".
 * A batch of Activate multiple cards speaks of activation, not of production.
 */
import { expect, it } from "vitest";
import { leaseChunkElsewhere, runBatchThatCannotBeProduced } from "../../src/test-support/batches.js";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import {
  batchFigures,
  cancelBatchOnItsPage,
  describeInChromium,
  errorsThrownBy,
  screenshot,
  seriousAccessibilityViolations,
} from "./support.js";

describeInChromium("the batch page in Chromium", (suite) => {
  /** A batch of `count` new approved cards, ordered as production while the runner is stopped. */
  const orderWithRunnerStopped = async (count: number) => {
    const { t } = suite.ui;
    const cardIds = await seedApprovedCards(t, count);
    await t.app.runner.stop();
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    return { t, cardIds, production, order, batchId: order.body.batchId as string };
  };

  it("Cancel batch while a chunk is in production: the page follows it to the end and says what happened", async () => {
    const { t, cardIds, order, batchId } = await orderWithRunnerStopped(10);
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    // The first chunk (4 of the 10 cards, chunks of 4 in tests) is being produced by another
    // Tessera when the operator cancels; it finishes (taken over once its lease ran out).
    await leaseChunkElsewhere(t, { batchId, chunk: 1, attempts: 1 });

    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/batches/${batchId}`);
    await expect.poll(() => page.getByTestId("batch-in-production").textContent()).toBe("4");
    await cancelBatchOnItsPage(page, { inProduction: 4, notStarted: 6 });
    await page.getByText("Cancelled — finishing", { exact: true }).first().waitFor();
    expect(await page.getByTestId("batch-outcome").textContent()).toContain(
      "4 cards in production are being finished",
    );
    await screenshot(page, "batch-cancel-finishing");

    // Production goes on; the page, not reloaded, follows it until it has really ended.
    t.app.runner.start();
    await t.app.runner.idle();
    await expect
      .poll(() => page.getByTestId("batch-outcome").textContent(), { timeout: 15_000 })
      .toBe("Cancelled — 4 produced, 6 returned to approved");
    await page.getByText("Cancelled", { exact: true }).first().waitFor();
    expect(await page.getByText("Cancelled — finishing", { exact: true }).count()).toBe(0);
    const figures = { done: "4", "in-production": "0", returned: "6", total: "10" };
    expect(await batchFigures(page, figures)).toEqual(figures);
    await page.getByRole("link", { name: /^Print file/ }).waitFor();
    // Every card of the batch is listed with its result and a link to it.
    const cardsTable = page.getByRole("table", { name: "Cards of the batch" });
    await expect
      .poll(
        async () =>
          (await cardsTable.getByRole("row").allTextContents()).filter((r) => r.includes("Produced")).length,
      )
      .toBe(4);
    const rows = await cardsTable.locator("tbody tr").allTextContents();
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.includes("Returned to approved"))).toHaveLength(6);
    expect(await page.getByText("1–10 of 10 cards").count()).toBe(1);
    const firstCard = cardsTable.locator("tbody tr").first().getByRole("link");
    const href = await firstCard.getAttribute("href");
    expect(cardIds.map((id) => `/cards/${id}`)).toContain(href);
    await screenshot(page, "batch-cancelled-ended");
    const states = (
      await t.app.services.store.db.selectFrom("cards").select("state").where("id", "in", cardIds).execute()
    )
      .map((c) => c.state)
      .sort();
    expect(states).toEqual([...Array(6).fill("approved"), ...Array(4).fill("issued")]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errorsThrownBy(page)).toEqual([]);
  });

  it("shows a batch with failed cards as Completed with failures, never a green Completed", async () => {
    const { t, production, batchId } = await orderWithRunnerStopped(2);
    await runBatchThatCannotBeProduced(t, production, batchId);
    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/batches/${batchId}`);
    await page.getByRole("heading", { name: "Cards that failed" }).waitFor();
    await page.getByText("Completed with failures", { exact: true }).first().waitFor();
    expect(await page.getByText("Completed", { exact: true }).count()).toBe(0);
    await screenshot(page, "batch-completed-with-failures");
    await page.goto(`${suite.ui.baseUrl}/batches`);
    const row = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: /Issue multiple cards/ }) });
    await row.first().waitFor();
    const { number } = (await production("GET", `/api/v1/batches/${batchId}`)).body;
    const ofThisBatch = page.getByRole("row").filter({ hasText: `Batch ${number}` });
    expect(await ofThisBatch.getByText("Completed with failures", { exact: true }).count()).toBe(1);
    expect(errorsThrownBy(page)).toEqual([]);
  });

  it("lists every card of the batch, page by page, each linked to its card", async () => {
    const { t } = suite.ui;
    const cardIds = await seedApprovedCards(t, 27);
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    const batchId = order.body.batchId as string;
    await t.app.runner.idle();
    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/batches/${batchId}`);
    const cardsTable = page.getByRole("table", { name: "Cards of the batch" });
    await page.getByText("1–25 of 27 cards").waitFor();
    expect(await cardsTable.locator("tbody tr").count()).toBe(25);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("26–27 of 27 cards").waitFor();
    const last = cardsTable.locator("tbody tr");
    expect(await last.count()).toBe(2);
    expect(await last.nth(1).textContent()).toContain("Produced");
    const href = await last.nth(1).getByRole("link").getAttribute("href");
    expect(href).toBe(`/cards/${cardIds[26]}`);
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText("1–25 of 27 cards").waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
  });

  it("keeps the Cancel batch dialog open when the batch ends while it is read, and says so", async () => {
    const { t, batchId } = await orderWithRunnerStopped(3);
    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/batches/${batchId}`);
    await page.getByRole("button", { name: "Cancel batch" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel the batch?" });
    await dialog.getByText("3 cards not yet started go back to approved").waitFor();

    t.app.runner.start();
    await t.app.runner.idle();
    await dialog
      .getByText("The batch has ended meanwhile (3 cards produced, 0 failed)")
      .waitFor({ timeout: 15_000 });
    expect(await dialog.getByRole("button", { name: "Cancel batch" }).isDisabled()).toBe(true);
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: "Cancel batch" }).count()).toBe(0);
    expect(errorsThrownBy(page)).toEqual([]);
  });

  it("speaks of activation, not production, on the page of an Activate multiple cards batch", async () => {
    const { t } = suite.ui;
    const cardIds = await seedApprovedCards(t, 2);
    const production = await apiAsOperator(t, "production");
    const issuer = await apiAsOperator(t, "issuer");
    expect((await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds })).status).toBe(
      202,
    );
    await t.app.runner.idle();
    const activation = await issuer("POST", "/api/v1/processes/CardsBoProcActivateMultiple", { cardIds });
    expect(activation.status).toBe(202);
    await t.app.runner.idle();
    expect((await issuer("GET", `/api/v1/batches/${activation.body.batchId}`)).body.state).toBe("completed");

    const page = await suite.openAs("issuer");
    await page.goto(`${suite.ui.baseUrl}/batches/${activation.body.batchId}`);
    const cardsTable = page.getByRole("table", { name: "Cards of the batch" });
    await page.getByText("1–2 of 2 cards").waitFor();
    for (const row of await cardsTable.locator("tbody tr").all())
      expect(await row.textContent()).toContain("Activated");
    // No card of this batch was produced by it: the figures and rows say what it did.
    const main = (await page.getByRole("main").textContent()) ?? "";
    expect(main).not.toMatch(/produc/i);
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
