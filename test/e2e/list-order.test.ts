/**
 * Issue 13, finding 6: "results have no visible order and the header is not sticky". Every list
 * page shows the order it is in (an arrow and aria-sort in that column's header), a click on a
 * sortable header sorts on the server, the order lives in the URL, and the header row stays in
 * view while a long list scrolls.
 */
import { expect, it } from "vitest";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

describeInChromium("the order of every list, and its sticky header", (suite) => {
  it("shows each list's order, sorts the Cards list by a click on the server, and keeps the header in view", async () => {
    const { t } = suite.ui;
    await seedApprovedCards(t, 60);
    const chief = await apiAsOperator(t, "chief");
    const all = (await chief("GET", "/api/v1/cards?limit=500")).body.items as { cardNumber: string }[];
    // The oracle: every card number, sorted here, not by Tessera.
    const numbers = all.map((card) => card.cardNumber).sort();
    expect(numbers.length).toBeGreaterThan(50);

    const page = await suite.openAs("chief");
    const header = (name: string) =>
      page.getByRole("table", { name: "Cards" }).getByRole("columnheader", { name });
    const shownNumbers = () =>
      page.getByRole("table", { name: "Cards" }).getByRole("row").locator("td:first-child").allTextContents();

    await page.goto(`${suite.ui.baseUrl}/cards`);
    await header("Requested").waitFor();
    expect(await header("Requested").getAttribute("aria-sort")).toBe("ascending");
    expect(await header("Card number").getAttribute("aria-sort")).toBe("none");

    await header("Card number").getByRole("button").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("cardNumber");
    await expect.poll(() => header("Card number").getAttribute("aria-sort")).toBe("ascending");
    await expect.poll(shownNumbers).toEqual(numbers.slice(0, 50));
    expect(await header("Requested").getAttribute("aria-sort")).toBe("none");

    await header("Card number").getByRole("button").click();
    await expect.poll(() => header("Card number").getAttribute("aria-sort")).toBe("descending");
    await expect.poll(shownNumbers).toEqual([...numbers].reverse().slice(0, 50));
    // The order is in the URL: a reload, or a link sent to a colleague, keeps it.
    await page.reload();
    await expect.poll(shownNumbers).toEqual([...numbers].reverse().slice(0, 50));

    // Scrolled far down the list, the header row still stands under the top bar.
    await page.mouse.wheel(0, 1600);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const top = await header("Card number").evaluate((th) => th.getBoundingClientRect().top);
    const bar = await page
      .locator("header")
      .first()
      .evaluate((el) => el.getBoundingClientRect().bottom);
    expect(Math.abs(top - bar)).toBeLessThan(2);
    await screenshot(page, "cards-sorted-sticky-header");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Every other list says its order too (a batch makes certificates and a batch to list).
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: (await chief("GET", "/api/v1/cards?state=approved&limit=2")).body.items.map(
        (card: { id: string }) => card.id,
      ),
    });
    expect(order.status).toBe(202);
    await t.app.runner.idle();
    const orders: [string, string, string, string][] = [
      ["/users", "Users", "Name", "ascending"],
      ["/certificates", "Certificates", "Valid from", "descending"],
      ["/batches", "Batch orders", "Started", "descending"],
      ["/audit", "Object history", "#", "descending"],
    ];
    for (const [path, table, column, order] of orders) {
      await page.goto(`${suite.ui.baseUrl}${path}`);
      const th = page
        .getByRole("table", { name: table })
        .getByRole("columnheader", { name: column, exact: true });
      await th.waitFor();
      expect(await th.getAttribute("aria-sort"), path).toBe(order);
    }
    // And the Users list sorts by identifier on the server when asked.
    await page.goto(`${suite.ui.baseUrl}/users`);
    const users = page.getByRole("table", { name: "Users" });
    await users.getByRole("columnheader", { name: "Identifier" }).getByRole("button").click();
    await expect
      .poll(() => users.getByRole("columnheader", { name: "Identifier" }).getAttribute("aria-sort"))
      .toBe("ascending");
    const identifiers = await users.getByRole("row").locator("td:nth-child(2)").allTextContents();
    expect(identifiers).toEqual([...identifiers].sort());
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
