/**
 * Pictures where they beat tables (issue 13): the dashboard's lifecycle funnel and certificates
 * expiring per month, a card's lifecycle diagram, a batch's throughput. Each picture's figures
 * are read from its text alternative and compared with the API; each page passes axe and fits
 * a 390 px phone.
 */
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { processCatalog } from "../../src/domain/process-catalog.js";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

const funnelStates = ["requested", "approved", "issued", "active"];
const sideStates = ["inactive", "locked", "expired", "failed", "rejected", "aborted"];

/** How far the page reaches beyond the window sideways (0 when it fits). */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describeInChromium("the pictures in Chromium", (suite) => {
  it("shows the funnel, the certificates per month, a card's lifecycle and a batch's throughput, true to the API", async () => {
    const { t } = suite.ui;
    const chief = await apiAsOperator(t, "chief");
    const registrar = await apiAsOperator(t, "registrar");
    // Cards in several states: three Contractor badges (certificates of 365 days) and two
    // Employee IDs produced in one batch, one Employee ID left approved, one request waiting;
    // one badge activated, one activated and then locked.
    const badges = await seedApprovedCards(t, 3, "Contractor badge");
    const employees = await seedApprovedCards(t, 3);
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [...badges, employees[0], employees[1]],
    });
    expect(order.status, JSON.stringify(order.body)).toBe(202);
    const batchId = order.body.batchId as string;
    t.app.runner.start();
    await t.app.runner.idle();
    const user = await registrar("POST", "/api/v1/processes/UsersProcCreate", {
      firstName: "Waiting",
      lastName: "Requester",
      email: "waiting@office.example",
      identifier: "W-1",
    });
    expect(user.status, JSON.stringify(user.body)).toBe(200);
    const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
      userId: user.body.user.id,
      template: "Employee ID",
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(200);
    for (const cardId of [badges[0], badges[1]])
      expect((await chief("POST", "/api/v1/processes/CardsProcActivate", { cardId })).status).toBe(200);
    const locked = await chief("POST", "/api/v1/processes/CardsProcLock", {
      cardId: badges[1],
      reason: "lost",
    });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    // Six weeks on (2026-04-12): the badges' certificates, ending 2027-03-01, are within the 12 months.
    t.clock.advance(42 * 86_400_000);

    const page = await suite.openAs("chief");

    // The funnel: each bar and side count names its figure, which is the Cards list's total.
    const funnel = page.getByRole("list", { name: "Cards per lifecycle step" });
    await funnel.getByRole("link").first().waitFor();
    await expect
      .poll(() => funnel.locator("a[data-count]").count(), { timeout: 10_000 })
      .toBe(funnelStates.length);
    const side = page.getByRole("list", { name: "Cards that left the way or stopped" });
    await expect.poll(() => side.locator("a[data-count]").count()).toBe(sideStates.length);
    const shown = await page
      .locator(".picture-funnel a, .picture-side a")
      .evaluateAll((links) =>
        links.map((link) => [link.getAttribute("data-state"), link.getAttribute("aria-label")]),
      );
    const expected: [string, string][] = [];
    for (const state of [...funnelStates, ...sideStates]) {
      const total = (await chief("GET", `/api/v1/cards?state=${state}&limit=1`)).body.total as number;
      const label = state.charAt(0).toUpperCase() + state.slice(1);
      expected.push([
        state,
        `${label}: ${total} ${total === 1 ? "card" : "cards"}. Show them in the Cards list.`,
      ]);
    }
    expect(shown).toEqual(expected);
    // The figures the seeding made, written by hand: the funnel is not just an echo of itself.
    expect(shown.map(([, label]) => label?.match(/: (\d+)/)?.[1])).toEqual([
      "1",
      "1",
      "3",
      "1",
      "0",
      "1",
      "0",
      "0",
      "0",
      "0",
    ]);

    // Certificates expiring per month: the table behind the bars holds the API's figures.
    const months = (await chief("GET", "/api/v1/certificates/expiring-by-month")).body.months as {
      month: string;
      valid: number;
      onHold: number;
      count: number;
    }[];
    const monthsTable = page.getByRole("table", { name: "Certificates in use ending per month" });
    await monthsTable.waitFor({ state: "attached" });
    const rows = await monthsTable
      .locator("tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)),
      );
    const names = [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ];
    expect(rows).toEqual(
      months.map((m) => [
        `${names[Number(m.month.slice(5)) - 1]} ${m.month.slice(0, 4)}`,
        String(m.valid),
        String(m.onHold),
        String(m.count),
      ]),
    );
    // One badge valid, one on hold in March 2027 (the locked badge's certificate is revoked);
    // the Employee IDs end in 2029.
    expect(rows.at(-1)).toEqual(["March 2027", "1", "1", "2"]);
    expect(rows.slice(0, -1).every((r) => r[3] === "0")).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "pictures-dashboard");

    // The funnel's bar opens the Cards list filtered by its state.
    await funnel.getByRole("link", { name: /^Issued: 3 cards/ }).click();
    await page.getByText("1–3 of 3 cards").waitFor();
    expect(new URL(page.url()).searchParams.get("state")).toBe("issued");

    // A card's lifecycle: the issued badge, its state marked, its next steps named.
    const card = (await chief("GET", `/api/v1/cards/${badges[2]}`)).body;
    await page.goto(`${suite.ui.baseUrl}/cards/${badges[2]}`);
    const diagram = page.getByRole("img", { name: "The card's lifecycle" });
    await diagram.waitFor();
    expect(await diagram.locator("[data-current]").getAttribute("data-state")).toBe(card.state);
    expect(card.state).toBe("issued");
    const description = await diagram.locator("desc").textContent();
    const stepNames = (card.allowedProcesses as string[]).map(
      (name) => processCatalog.find((p) => p.symbolicName === name)?.name,
    );
    expect(stepNames).toContain("Activate card");
    expect(description).toBe(
      `The card is issued. From here it can become active, locked, expired. Next allowed steps: ${stepNames.join(", ")}.`,
    );
    const listed = await page.getByTestId("card-next-steps").locator("li").allTextContents();
    expect(listed.map((text) => text.split(":")[0])).toEqual(stepNames);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "pictures-card-lifecycle");

    // The batch's throughput: its slices total the batch's done cards.
    const batch = (await chief("GET", `/api/v1/batches/${batchId}`)).body;
    expect(batch.done).toBe(5);
    await page.goto(`${suite.ui.baseUrl}/batches/${batchId}`);
    const throughput = page.getByRole("table", { name: "Cards finished per time slice" });
    await throughput.waitFor({ state: "attached" });
    const inAll = await throughput.locator("tbody tr").last().locator("td").allTextContents();
    expect(inAll).toEqual(["In all", String(batch.done), String(batch.failed)]);
    expect(await page.getByTestId("batch-throughput").locator("figcaption").textContent()).toContain(
      `${batch.done} cards done`,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, "pictures-batch-throughput");

    // On a phone, each page with a picture fits its width.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, ready] of [
      ["/", () => page.getByRole("table", { name: "Certificates in use ending per month" })],
      [`/cards/${badges[2]}`, () => page.getByRole("img", { name: "The card's lifecycle" })],
      [`/batches/${batchId}`, () => page.getByRole("table", { name: "Cards finished per time slice" })],
    ] as const) {
      await page.goto(`${suite.ui.baseUrl}${path}`);
      await ready().waitFor({ state: "attached" });
      expect([path, await overflow(page)]).toEqual([path, 0]);
      await ready().scrollIntoViewIfNeeded();
      await screenshot(page, `pictures-390${path.split("/").slice(0, 2).join("-")}`);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
    }
    await page.goto(`${suite.ui.baseUrl}/`);
    await page.getByRole("list", { name: "Cards per lifecycle step" }).waitFor();
    await screenshot(page, "pictures-dashboard-390");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
