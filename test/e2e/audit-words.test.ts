/**
 * Issue 13, "words, not codes": the audit page and the card's history say what happened in the
 * seed's names and plain words (Lock card, Lost, Key compromise), never the codes the history
 * records (`certificate.revoke`, `keyCompromise`, `certificateHold`, `lost`); those stay one
 * click away, under Raw.
 */
import { expect, it } from "vitest";
import { apiAsOperator, seedActiveCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

describeInChromium("the object history in words", (suite) => {
  it("names a lock and its revocations in words on the audit page and the card page, the codes under Raw", async () => {
    const { t } = suite.ui;
    const [cardId] = await seedActiveCards(t, 1);
    const chief = await apiAsOperator(t, "chief");
    const locked = await chief("POST", "/api/v1/processes/CardsProcLock", { cardId, reason: "lost" });
    expect(locked.status, JSON.stringify(locked.body)).toBe(200);
    const { cardNumber } = locked.body.card;

    const page = await suite.openAs("chief");
    await page.goto(`${suite.ui.baseUrl}/audit?objectId=${cardId}`);
    const table = page.getByRole("table", { name: "Object history" });
    const lock = table.getByRole("row").filter({ hasText: "Lock card" });
    await lock.waitFor();
    expect(await lock.textContent()).toContain(
      `Card ${cardNumber} · Active → Locked · Reason: Lost · Certificates revoked: Key compromise`,
    );
    await page.goto(`${suite.ui.baseUrl}/audit?action=certificate.revoke`);
    const revoke = table.getByRole("row").filter({ hasText: "Revoke certificate" }).first();
    await revoke.waitFor();
    expect(await revoke.textContent()).toContain("Valid → Revoked · Reason: Key compromise");
    await screenshot(page, "audit-in-words");
    // The codes are not what an operator reads; they are one click away.
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, without the closed Raw parts.
    const visible = await table.evaluate((element) => (element as HTMLElement).innerText);
    expect(visible).not.toMatch(/keyCompromise|certificate\.revoke|"lost"/);
    await revoke.getByText("Raw").click();
    expect(await revoke.locator("pre, code").first().textContent()).toContain('"reason": "keyCompromise"');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The card's own history says the same.
    await page.goto(`${suite.ui.baseUrl}/cards/${cardId}`);
    await page.getByText("Reason: Lost · Certificates revoked: Key compromise").waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
