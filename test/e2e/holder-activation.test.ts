/**
 * The holder activates their own card (issue 12) on the public page /activate, on a phone: no
 * operator login, no script, readable at 390 px, no serious accessibility finding.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { apiAsOperator, readCard, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, screenshot, seriousAccessibilityViolations } from "./support.js";

describeInChromium("holder activation in Chromium", (suite) => {
  it("activates a card with the code of its PIN letter on a 390 px wide phone", async () => {
    const { t } = suite.ui;
    const chief = await apiAsOperator(t, "chief");
    const changed = await chief("PATCH", "/api/v1/options", {
      holderActivation: { enabled: true, codeValidDays: 30 },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const [cardId] = await seedApprovedCards(t, 1, "Employee ID");
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
    });
    expect(order.status).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    const letters = await t.server.inject({
      url: `/api/v1/batches/${order.body.batchId}/pin-letters?part=1`,
      headers: { cookie: await t.login("chief") },
    });
    expect(letters.statusCode).toBe(200);
    const pdf = path.join(mkdtempSync(path.join(tmpdir(), "tessera-letter-")), "letters.pdf");
    writeFileSync(pdf, letters.rawPayload);
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    const code = /Activation code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text)?.[1];
    expect(code).toBeDefined();
    const { cardNumber } = await readCard(t, cardId!);

    const context = await suite.browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: "en-GB",
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${suite.ui.baseUrl}/activate`);
    await page.getByRole("heading", { name: "Activate your card" }).waitFor();
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
    await screenshot(page, "activate-390");

    await page.getByLabel(/^Card number/).fill(cardNumber);
    await page.getByLabel(/^Activation code/).fill("0000-0000-0000");
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("alert").getByText("do not match").waitFor();
    expect(await page.getByLabel(/^Card number/).inputValue()).toBe(cardNumber);
    await page.getByLabel(/^Activation code/).fill(code!.toLowerCase());
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("status").getByText(`Card ${cardNumber} is active`).waitFor();
    await screenshot(page, "activate-done-390");
    expect((await readCard(t, cardId!)).state).toBe("active");
    await context.close();

    // The accessibility scan runs with script (axe is a script); the page itself has none.
    const scanned = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    const scan = await scanned.newPage();
    await scan.goto(`${suite.ui.baseUrl}/activate`);
    expect(await seriousAccessibilityViolations(scan)).toEqual([]);
    await scanned.close();
  });
});
