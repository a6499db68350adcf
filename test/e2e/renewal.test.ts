/**
 * Renewal as a batch order (issue 12): BATCH ORDERS → Renew multiple cards → Search (Expires
 * before) → tick → Renew multiple cards → Next; each card gets a successor request; once the
 * successors are approved, produced and active, the renewed cards are locked superseded and
 * the CRL says so.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { askOcsp } from "../../src/test-support/openssl.js";
import { apiAsOperator, readCard, seedActiveCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

const day = 86_400_000;

describeInChromium("Renew multiple cards in Chromium", (suite) => {
  it("renews 20 cards nearing their end; their successors, once active, lock them superseded", async () => {
    const { t } = suite.ui;
    const cards = await seedActiveCards(t, 20);
    const production = await apiAsOperator(t, "production");
    const first = await readCard(t, cards[0]!);
    const end = Date.parse((first as unknown as { expiresAt: string }).expiresAt);
    t.clock.advance(end - 20 * day - t.clock().getTime());
    const before = new Date(end + day).toISOString().slice(0, 10);

    const page = await suite.openAs("registrar");
    const errors = errorsThrownBy(page);
    await page.goto(`${suite.ui.baseUrl}/batch-orders`);
    await page.getByRole("link", { name: "Renew multiple cards" }).click();
    // The search opens at the end of the renewal window (90 days from today, by the browser's clock).
    const field = page.getByLabel("Expires before", { exact: true });
    await expect.poll(() => field.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await field.fill(before);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByText("1–20 of 20", { exact: false }).waitFor();
    // "Select all N matching" is not offered: a renewal names its cards.
    expect(await page.getByText(/^Select all \d+ matching/).count()).toBe(0);
    await page.getByRole("checkbox", { name: "Select page" }).check();
    await screenshot(page, "renew-multiple-cards-selected");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Renew multiple cards" }).click();
    await page.getByRole("heading", { name: "Renew 20 cards?" }).waitFor();
    await page.getByRole("button", { name: "Next", exact: true }).click();
    await page.waitForURL(/\/cards\?state=requested/);
    expect(errors).toEqual([]);

    // Successors: the approver approves, production makes them active.
    const chief = await apiAsOperator(t, "chief");
    const successors = (await chief("GET", "/api/v1/cards?state=requested&limit=100")).body.items.filter(
      (c: { predecessorId: string | null }) => c.predecessorId !== null,
    );
    expect(successors).toHaveLength(20);
    expect(new Set(successors.map((c: { predecessorId: string }) => c.predecessorId))).toEqual(
      new Set(cards),
    );
    const approver = await apiAsOperator(t, "approver");
    for (const s of successors)
      expect(
        (await approver("POST", "/api/v1/processes/CardsProcApprove", { cardId: s.id, decision: "approve" }))
          .status,
      ).toBe(200);
    const renewed = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: successors.map((s: { id: string }) => s.id),
      options: { cardEndState: "active", certificateEndState: "valid" },
    });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(202);
    await t.app.runner.idle();

    const crl = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
      input: (await t.app.services.crl.current()).der,
      encoding: "utf8",
    });
    for (const cardId of cards) {
      const card = (await chief("GET", `/api/v1/cards/${cardId}`)).body;
      expect(card).toMatchObject({ state: "locked", reason: "superseded" });
      expect((await readCard(t, card.successorId)).state).toBe("active");
      for (const certificate of card.certificates) {
        expect(certificate.state).toBe("revoked");
        expect(crl).toContain(`Serial Number: ${certificate.serial.toUpperCase()}`);
      }
    }
    expect(crl).toContain("Superseded");

    // OCSP says so too: OpenSSL asks the responder about a renewed card's certificate, checking
    // the answer at the app's time (its clock is past the real one).
    const dir = mkdtempSync(path.join(tmpdir(), "tessera-renewal-ocsp-"));
    const caFile = path.join(dir, "ca.pem");
    writeFileSync(caFile, t.app.services.ca.chainPem);
    const [revoked] = (await chief("GET", `/api/v1/cards/${cards[0]}`)).body.certificates;
    const certFile = path.join(dir, "leaf.pem");
    writeFileSync(certFile, (await chief("GET", `/api/v1/certificates/${revoked.serial}`)).body.pem);
    const answer = await askOcsp({
      caFile,
      certFile,
      responderUrl: `${suite.ui.baseUrl}/pki/ocsp`,
      certIdOptions: ["-attime", String(Math.floor(t.clock().getTime() / 1000))],
    });
    expect(answer).toContain("Response verify OK");
    // OpenSSL warns that the answer's times are not now (they are the app's); what it says stands.
    expect(answer).toContain("Cert Status: revoked");
    expect(answer).toContain("Revocation Reason: superseded");
    rmSync(dir, { recursive: true, force: true });

    // The card page links both ways.
    const renewedCard = (await chief("GET", `/api/v1/cards/${cards[0]}`)).body;
    await page.goto(`${suite.ui.baseUrl}/cards/${cards[0]}`);
    await page.getByRole("link", { name: renewedCard.successorNumber, exact: true }).click();
    await page.getByRole("link", { name: renewedCard.cardNumber, exact: true }).waitFor();
    await screenshot(page, "renewed-card");
  });
});
