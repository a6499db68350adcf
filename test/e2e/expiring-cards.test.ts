/**
 * Expiring cards are visible (issue 12): the dashboard counts the cards in use that expire
 * within 30, 60 and 90 days per template, each figure a link to the Cards list; the Cards list
 * filters by "Expires before" and exports that search as CSV for a mail merge.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parseCsv } from "../../src/domain/csv.js";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

describeInChromium("expiring cards in Chromium", (suite) => {
  it("the dashboard counts them per template, links to the Cards list filtered by expires before, which exports them", async () => {
    const { t } = suite.ui;
    // Three Contractor badges (365 days) and one Employee ID (1095 days), produced on 2026-03-01.
    const badges = await seedApprovedCards(t, 3, "Contractor badge");
    const employee = await seedApprovedCards(t, 1, "Employee ID");
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [...badges, ...employee],
    });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    // 300 days on, 2026-12-26: the badges end on 2027-03-01, within 90 days but not 60.
    t.clock.advance(300 * 86_400_000);

    const page = await suite.openAs("registrar");
    const section = page.getByRole("table", { name: "Cards expiring per card template" });
    await section.waitFor();
    const figures = section.getByRole("link");
    expect(
      await figures.evaluateAll((links) => links.map((link) => link.getAttribute("aria-label"))),
    ).toEqual([
      "0 Contractor badge cards expiring within 30 days, before 2027-01-26",
      "0 Contractor badge cards expiring within 60 days, before 2027-02-25",
      "3 Contractor badge cards expiring within 90 days, before 2027-03-27",
    ]);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-cards-expiring");

    // The 90-day figure opens the Cards list with the window's criteria, kept in the URL and the form.
    await section.getByRole("link", { name: /^3 Contractor badge cards/ }).click();
    await page.getByText("1–3 of 3 cards").waitFor();
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get("expiresBefore"), url.searchParams.get("template")]).toEqual([
      "/cards",
      "2027-03-27",
      "Contractor badge",
    ]);
    expect(await page.getByLabel("Expires before", { exact: true }).inputValue()).toBe("2027-03-27");

    // An operator narrows the list by hand: before 2027-03-01 (the badges end at 09:00 that day) finds none.
    await page.goto(`${suite.ui.baseUrl}/cards`);
    await page.getByLabel("Expires before", { exact: true }).fill("2027-03-01");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByText("No cards", { exact: true }).waitFor();
    await page.getByLabel("Expires before", { exact: true }).fill("2027-03-02");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByText("1–3 of 3 cards").waitFor();
    await screenshot(page, "cards-expires-before");

    // Export CSV saves the search shown: a header and the three badges, with their holders' e-mail.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("cards-2026-12-26.csv");
    const parsed = parseCsv(readFileSync((await download.path())!, "utf8"));
    expect(parsed.ok).toBe(true);
    const records = parsed.ok ? parsed.records.map((r) => r.fields) : [];
    expect(records[0]).toEqual([
      "Card number",
      "First name",
      "Last name",
      "Holder name",
      "E-mail",
      "Organizational unit",
      "Card template",
      "State",
      "Expires at",
    ]);
    expect(records.slice(1).map((r) => [r[4]?.endsWith("@office.example"), r[6], r[7], r[8]])).toEqual(
      Array(3).fill([true, "Contractor badge", "issued", "2027-03-01T09:00:00.000Z"]),
    );

    // The Users list finds the holders of such cards: the three badge holders, not the employee.
    await page.goto(`${suite.ui.baseUrl}/users`);
    await page.getByLabel("Card expires before", { exact: true }).fill("2027-03-27");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByText("1–3 of 3 users").waitFor();
    expect(new URL(page.url()).searchParams.get("expiresBefore")).toBe("2027-03-27");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
