/**
 * The operator UI in Chromium against a real Tessera (SQLite, fixed clock): login, navigation by
 * role, the register → request → approve path, the Issue multiple cards wizard up to its options
 * and Cancel, a session that expires mid-form, and an axe-core scan of every page.
 * Screenshots go to artifacts/screenshots/.
 */
import { expect, it } from "vitest";
import { apiAsOperator, approvedCards, pagesToWalk, readCard, seedApprovedCards } from "./fixtures.js";
import { activateCardThroughTheUi, issueThreeCardsThroughTheSeedFlow } from "./issue-multiple-cards-flow.js";
import {
  describeInChromium,
  errorsThrownBy,
  followMainNavigation,
  logIn,
  logOut,
  navigationLabels,
  openPage,
  portraitPng,
  screenshot,
  seriousAccessibilityViolations,
} from "./support.js";

/** The main navigation of two demo operators: what their roles open, in the menu's order. */
const navigationOf = {
  approver: ["Dashboard", "Users", "Cards", "Approvals", "Certificates"],
  production: ["Dashboard", "Users", "Cards", "BATCH ORDERS", "Batches", "Certificates"],
};

describeInChromium("the operator UI in Chromium", (suite) => {
  it("explains a wrong password and the wait after repeated failures", async () => {
    const page = await openPage(suite.browser);
    await page.goto(`${suite.ui.baseUrl}/cards`);
    // Not logged in: the page asks for a login and remembers where the operator was going.
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/cards");
    await screenshot(page, "login");

    await page.getByRole("textbox", { name: "Username" }).fill("registrar");
    await page.getByRole("textbox", { name: "Password" }).fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.textContent()).toContain("Wrong username or password");
    await screenshot(page, "login-wrong-password");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await suite.ui.t.operator("forgetful", ["helpdesk"]);
    for (let i = 0; i < 5; i++)
      await suite.ui.t.server.inject({
        method: "POST",
        url: "/api/v1/session",
        payload: { username: "forgetful", password: "wrong guess" },
      });
    await page.getByRole("textbox", { name: "Username" }).fill("forgetful");
    await page.getByRole("textbox", { name: "Password" }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Log in" }).click();
    // Issue 8: no lock, a wait (the browser and the guesses above come from the same address).
    await expect.poll(() => alert.textContent()).toContain("Too many failed logins");
    expect(await alert.textContent()).toMatch(/Wait \d+ seconds? before you try again/);
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("shows each operator only the pages their roles allow", async () => {
    const page = await suite.openAs("approver");
    expect(await navigationLabels(page)).toEqual(navigationOf.approver);
    expect(await page.getByTestId("operator-roles").textContent()).toBe("Approver");
    // The page is not offered, and its URL says which role it needs.
    await page.goto(`${suite.ui.baseUrl}/batch-orders`);
    await page.getByRole("heading", { name: "Not for your roles" }).waitFor();
    expect(await page.getByText("This page needs the role").textContent()).toContain("Registration officer");
    await logOut(page);

    await logIn(page, suite.ui.baseUrl, "production");
    expect(await navigationLabels(page)).toEqual(navigationOf.production);
    await page.getByRole("link", { name: "BATCH ORDERS" }).click();
    await page.getByRole("heading", { name: "BATCH ORDERS" }).waitFor();
    // A production administrator starts Issue multiple cards, not the registrar's or issuer's orders.
    const orders = await page.getByRole("main").getByRole("heading", { level: 2 }).allTextContents();
    expect(orders).toEqual(["Issue multiple cards"]);
    await screenshot(page, "batch-orders");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("registers a user, requests a card and has another operator approve it, all in the UI", async () => {
    const page = await suite.openAs("registrar");
    await followMainNavigation(page, "Users");
    await page.getByRole("link", { name: "Create user" }).click();
    await page.getByRole("textbox", { name: "First name" }).fill("Maja");
    await page.getByRole("textbox", { name: "Last name" }).fill("Ekström");
    await page.getByRole("textbox", { name: "E-mail" }).fill("maja.ekstrom");
    await page.getByRole("textbox", { name: "Identifier" }).fill("E20001");
    await page.getByRole("textbox", { name: "Organizational unit" }).fill("Finance");
    // A domain's SID without the account's RID is not an account's SID.
    const sid = page.getByRole("textbox", { name: "Windows SID" });
    await sid.fill("S-1-5-21-1004336348-1177238915-682003330");
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "maja.png", mimeType: "image/png", buffer: portraitPng() });
    await page.getByRole("img", { name: "Portrait to upload" }).waitFor();
    await page.getByRole("button", { name: "Create user" }).click();
    // The server's sentence appears at the field it is about.
    const email = page.getByRole("textbox", { name: "E-mail" });
    await expect.poll(() => email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await email.getAttribute("aria-describedby"))!.split(" ");
    const errorTexts = await Promise.all(
      describedBy.map((id) =>
        page
          .locator(`[id="${id}"]`)
          .textContent()
          .catch(() => ""),
      ),
    );
    expect(errorTexts.join(" ")).toContain("Not an e-mail address.");
    await screenshot(page, "create-user-field-error");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    expect(await sid.getAttribute("aria-invalid")).toBe("true");
    await email.fill("maja.ekstrom@office.example");
    await sid.fill("S-1-5-21-1004336348-1177238915-682003330-2001");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("heading", { name: "Maja Ekström" }).waitFor();
    await page.getByText("S-1-5-21-1004336348-1177238915-682003330-2001").waitFor();
    await page.getByRole("img", { name: "Portrait of Maja Ekström" }).waitFor();
    await page.getByRole("combobox", { name: "Card template" }).click();
    await page.getByRole("option", { name: "Employee ID" }).click();
    await page.getByRole("button", { name: "Request card" }).click();
    const cards = page.getByRole("table", { name: "Cards of Maja Ekström" });
    await expect.poll(() => cards.textContent()).toContain("Requested");
    await screenshot(page, "user-with-requested-card");
    const cardNumber = (await cards.getByRole("link").first().textContent())!.trim();
    await logOut(page);

    // Four eyes: the approver, not the registrar, decides.
    await logIn(page, suite.ui.baseUrl, "approver");
    await followMainNavigation(page, /Approvals/);
    await page.getByRole("checkbox", { name: new RegExp(`^Select card ${cardNumber}`) }).check();
    expect(await page.getByTestId("selection-count").textContent()).toBe("1 request selected");
    await screenshot(page, "approvals");
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Approve", exact: true }).click();
    await dialog.waitFor({ state: "detached" });

    const chief = await apiAsOperator(suite.ui.t, "chief");
    const { body } = await chief("GET", `/api/v1/cards?q=${cardNumber}`);
    expect(body.items.map((c: { state: string }) => c.state)).toEqual(["approved"]);

    await followMainNavigation(page, "Cards");
    await page.getByRole("link", { name: cardNumber }).click();
    await page.getByRole("heading", { name: `Card ${cardNumber}` }).waitFor();
    await page.getByText("Approve request").first().waitFor();
    await screenshot(page, "card");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("Issue multiple cards: Search, tick three, options, Cancel — every card stays approved", async () => {
    const seeded = await seedApprovedCards(suite.ui.t, 4);
    const before = await approvedCards(suite.ui.t);
    const page = await suite.openAs("production");
    await page.getByRole("link", { name: "BATCH ORDERS" }).click();
    await page.getByRole("link", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Issue multiple cards" }).waitFor();
    await page.getByRole("button", { name: "Search", exact: true }).click();
    const boxes = page.getByRole("checkbox", { name: /^Select card / });
    await expect.poll(() => boxes.count()).toBe(before.length);
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    const count = page.getByTestId("selection-count");
    expect(await count.textContent()).toBe("3 cards selected");
    await screenshot(page, "issue-multiple-cards-selected");

    // Select page, then every matching card, then back to three.
    await page.getByRole("checkbox", { name: "Select page" }).check();
    expect(await count.textContent()).toBe(`${before.length} cards selected`);
    await page.getByRole("checkbox", { name: "Select page" }).uncheck();
    expect(await count.textContent()).toBe("No card selected");
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();

    await page.getByRole("button", { name: "Issue multiple cards" }).click();
    await page.getByRole("heading", { name: "Options" }).waitFor();
    expect(await page.getByRole("textbox", { name: "PIN length" }).inputValue()).toBe("6");
    expect(await page.getByRole("textbox", { name: "PUK length" }).inputValue()).toBe("8");
    // A PIN length the template does not take stays as typed, explained, and Next waits.
    const pinLength = page.getByRole("textbox", { name: "PIN length" });
    await pinLength.fill("3");
    await pinLength.press("Tab");
    expect(await pinLength.inputValue()).toBe("3");
    await page.getByText(/^Choose a PIN length from \d+ to \d+ digits\.$/).waitFor();
    expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await pinLength.fill("6");
    expect(await page.getByRole("checkbox", { name: /^authentication/ }).isChecked()).toBe(true);
    // The invalid combination is explained before Next, and Next waits until it is resolved.
    await page.getByRole("radio", { name: /^Active/ }).check();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("These end states do not go together");
    expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await screenshot(page, "issue-multiple-cards-options-invalid");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole("radio", { name: /^Valid/ }).check();
    expect(await page.getByRole("button", { name: "Next" }).isEnabled()).toBe(true);
    await screenshot(page, "issue-multiple-cards-options");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("heading", { name: "BATCH ORDERS" }).waitFor();

    // Cancel on the search step too.
    await page.getByRole("link", { name: "Issue multiple cards" }).click();
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await boxes.first().check();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("heading", { name: "BATCH ORDERS" }).waitFor();

    const after = await approvedCards(suite.ui.t);
    expect(after.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
    expect(after.every((c) => c.batchId === null)).toBe(true);
    for (const id of seeded) expect((await readCard(suite.ui.t, id)).state).toBe("approved");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("issues three cards through the seed's flow word for word, then activates one", async () => {
    const [first] = await issueThreeCardsThroughTheSeedFlow(suite.ui, suite.browser);
    await activateCardThroughTheUi(suite.ui, suite.browser, first!);
  });

  it("keeps what was typed when the session expires, and sends it after a new login", async () => {
    const page = await suite.openAs("registrar");
    await page.goto(`${suite.ui.baseUrl}/users/new`);
    await page.getByRole("textbox", { name: "First name" }).fill("Nils");
    await page.getByRole("textbox", { name: "Last name" }).fill("Holm");
    await page.getByRole("textbox", { name: "E-mail" }).fill("nils.holm@office.example");
    await page.getByRole("textbox", { name: "Identifier" }).fill("E20002");
    suite.ui.t.clock.advance(31 * 60_000); // longer than the 30 idle minutes
    await page.getByRole("button", { name: "Create user" }).click();
    const dialog = page.getByRole("dialog", { name: "Your session has ended" });
    await dialog.getByRole("textbox", { name: "Password" }).waitFor();
    await page.waitForTimeout(400); // the modal fades in
    await screenshot(page, "session-expired");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await dialog.getByRole("textbox", { name: "Password" }).fill("correct horse battery staple");
    await dialog.getByRole("button", { name: "Log in and continue" }).click();
    await page.getByRole("heading", { name: "Nils Holm" }).waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("has no serious or critical accessibility violations on any page", async () => {
    const [cardId] = await seedApprovedCards(suite.ui.t, 1);
    const card = await readCard(suite.ui.t, cardId!);
    const chief = await apiAsOperator(suite.ui.t, "chief");
    const { body: user } = await chief("GET", `/api/v1/cards/${cardId}`);
    const page = await openPage(suite.browser);

    const findings: Record<string, unknown> = {};
    const scan = async (name: string) => {
      const violations = await seriousAccessibilityViolations(page);
      if (violations.length) findings[name] = violations;
    };
    await page.goto(`${suite.ui.baseUrl}/login`);
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await scan("login");

    await logIn(page, suite.ui.baseUrl, "chief");
    const pages = pagesToWalk([
      ["user", `/users/${user.userId}`, user.holderName],
      ["card-approved", `/cards/${cardId}`, `Card ${card.cardNumber}`],
    ]);
    for (const [name, path, heading] of pages) {
      await page.goto(`${suite.ui.baseUrl}${path}`);
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      await screenshot(page, `page-${name}`);
      await scan(name);
    }
    expect(findings).toEqual({});
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
    // Twenty pages, each loaded, screenshotted and scanned: on a busy 2-core machine over a minute.
  }, 180_000);
});
