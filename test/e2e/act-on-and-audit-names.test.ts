/**
 * Issue 13: "Dashboards per role show what that role can act on", each figure a link to the
 * filtered list; and the object history names a certificate by its profile and card number,
 * its serial one click away; a certificate on hold says so on its page, not "Revoked".
 */
import { expect, it } from "vitest";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, seriousAccessibilityViolations } from "./support.js";

describeInChromium("what each role acts on, and certificates by name in the history", (suite) => {
  it("shows each role the figures it acts on, each a link to the list it is acted on in", async () => {
    const { t } = suite.ui;
    await seedApprovedCards(t, 3);
    const chief = await apiAsOperator(t, "chief");
    const approved = (await chief("GET", "/api/v1/cards?state=approved&limit=1")).body.total as number;
    expect(approved).toBeGreaterThanOrEqual(3);

    const production = await suite.openAs("production");
    const figure = production.locator('[data-figure="approved-waiting"]');
    await expect.poll(() => figure.getAttribute("data-count")).toBe(String(approved));
    expect(await figure.textContent()).toBe(`Approved cards waiting for a batch${approved}`);
    // A production administrator decides no requests and audits nothing: those figures are not theirs.
    expect(await production.locator('[data-figure="requested-to-decide"]').count()).toBe(0);
    expect(await production.locator('[data-figure="refused"]').count()).toBe(0);
    expect(await seriousAccessibilityViolations(production)).toEqual([]);
    await figure.click();
    await expect.poll(() => new URL(production.url()).pathname).toBe("/batch-orders/issue-multiple-cards");
    await production.goto(`${suite.ui.baseUrl}/`);
    await production.locator('[data-figure="batches-running"]').click();
    await expect.poll(() => new URL(production.url()).search).toBe("?state=running");
    expect(errorsThrownBy(production)).toEqual([]);
    await production.context().close();

    const auditor = await suite.openAs("auditor");
    await auditor.locator('[data-figure="refused"]').waitFor();
    expect(await auditor.locator("[data-figure]").count()).toBe(1);
    await auditor.context().close();

    // The PIN mailer sends and purges a batch's PIN letters: the batches whose letters are kept.
    const [toProduce] = await seedApprovedCards(t, 1);
    expect(
      (await chief("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds: [toProduce] })).status,
    ).toBe(202);
    await t.app.runner.idle();
    const kept = (await chief("GET", "/api/v1/batches?pinLetters=kept&limit=1")).body.total as number;
    expect(kept).toBeGreaterThanOrEqual(1);
    await t.operator("mailroom", ["pinMailer"]);
    const mailroom = await suite.openAs("mailroom");
    const letters = mailroom.locator('[data-figure="pin-letters-kept"]');
    await expect.poll(() => letters.getAttribute("data-count")).toBe(String(kept));
    await letters.click();
    await expect.poll(() => new URL(mailroom.url()).search).toBe("?pinLetters=kept");
    await mailroom.getByRole("table", { name: "Batch orders" }).waitFor();
    expect(errorsThrownBy(mailroom)).toEqual([]);
    await mailroom.context().close();

    // Locked cards and revoked certificates are final: nobody acts on them, so no figure counts them.
    await t.operator("security", ["securityOfficer"]);
    const security = await suite.openAs("security");
    await security.locator('[data-figure="refused"]').waitFor();
    expect(await security.locator("[data-figure]").count()).toBe(1);
    await security.context().close();
  });

  it("names a certificate in the history by its profile and card, and links its serial", async () => {
    const { t } = suite.ui;
    const [cardId] = await seedApprovedCards(t, 1);
    const production = await apiAsOperator(t, "production");
    const issuer = await apiAsOperator(t, "issuer");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
    });
    expect(order.status).toBe(202);
    await t.app.runner.idle();
    expect((await issuer("POST", "/api/v1/processes/CardsProcActivate", { cardId })).status).toBe(200);
    const card = (await issuer("GET", `/api/v1/cards/${cardId}`)).body;
    const certificate = card.certificates[0] as { serial: string; profile: string };

    const page = await suite.openAs("auditor");
    await page.goto(`${suite.ui.baseUrl}/audit?objectId=${certificate.serial}`);
    const link = page
      .getByRole("link", { name: `${certificate.profile} certificate of card ${card.cardNumber}` })
      .first();
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(`/certificates/${certificate.serial}`);
    await link.click();
    await page.getByText(certificate.serial).first().waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("says a certificate on hold is on hold since a time, and does not call it revoked", async () => {
    const { t } = suite.ui;
    const [cardId] = await seedApprovedCards(t, 1);
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
    });
    expect(order.status).toBe(202);
    await t.app.runner.idle();
    // Issued, not yet activated: its certificates wait on hold (RFC 5280 §5.3.1 certificateHold).
    const card = (await production("GET", `/api/v1/cards/${cardId}`)).body;
    expect(card.state).toBe("issued");
    const certificate = card.certificates[0] as { serial: string; state: string };
    expect(certificate.state).toBe("onHold");

    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/certificates/${certificate.serial}`);
    await page.getByRole("heading", { name: /^Certificate / }).waitFor();
    const labels = (await page.locator("dl dt").allTextContents()).map((label) => label.toLowerCase());
    expect(labels).toContain("on hold since");
    expect(labels).not.toContain("revoked");
    expect(labels).not.toContain("revocation reason");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
