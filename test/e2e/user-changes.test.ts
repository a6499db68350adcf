import { expect, it } from "vitest";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot } from "./support.js";

/** Issue 12, "Changes." and "Leavers.": a registration officer edits a user, then deactivates one. */
describeInChromium("a user's changes and leaving", (suite) => {
  /** A user with an approved card, made through the API; their id and last name. */
  async function userWithCard(): Promise<{ userId: string; lastName: string; cardId: string }> {
    const [cardId] = await seedApprovedCards(suite.ui.t, 1);
    const chief = await apiAsOperator(suite.ui.t, "chief");
    const { body: card } = await chief("GET", `/api/v1/cards/${cardId}`);
    const { body } = await chief("GET", `/api/v1/users/${card.userId}`);
    return { userId: card.userId, lastName: body.user.lastName, cardId: cardId! };
  }

  /** A fresh browser context, logged in as `username`, on the page of a new user with an approved card. */
  async function openNewUserAs(username: string) {
    const user = await userWithCard();
    const page = await suite.openAs(username);
    await page.goto(`${suite.ui.baseUrl}/users/${user.userId}`);
    return { ...user, page };
  }

  it("edits a user: a card field changed names the card to replace, whose successor is requested; a stale edit says so", async () => {
    const { userId, lastName, cardId, page } = await openNewUserAs("registrar");
    // The card is made: it shows the holder's data as it was.
    const production = await apiAsOperator(suite.ui.t, "production");
    const made = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(202);
    suite.ui.t.app.runner.start();
    await suite.ui.t.app.runner.idle();
    await page.reload();

    // The registration officer opens Edit, changes the last name and the title, and saves.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Edit / });
    await dialog.getByRole("textbox", { name: "Last name" }).fill(`${lastName}-Berg`);
    await dialog.getByRole("textbox", { name: "Title" }).fill("Dr.");
    await screenshot(page, "user-edit-dialog");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("heading", { name: new RegExp(`${lastName}-Berg`) }).waitFor();

    // The card printed with the old name is named, with a replacement offered.
    const notice = page.getByRole("status").filter({ hasText: "Cards show the old data" });
    await notice.waitFor();
    expect(await notice.textContent()).toContain("The last name and title changed.");
    await notice.getByRole("button", { name: "Request replacement card" }).click();
    await notice.getByText(/^Replacement \d+ requested\.$/).waitFor();
    await screenshot(page, "user-edited-replace-card");
    const chief = await apiAsOperator(suite.ui.t, "chief");
    const successors = (await chief("GET", `/api/v1/cards?userId=${userId}`)).body.items.filter(
      (c: { predecessorId: string | null }) => c.predecessorId === cardId,
    );
    expect(successors).toHaveLength(1);

    // Someone else changes the user meanwhile: saving the older version is refused with a sentence.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const again = page.getByRole("dialog", { name: /^Edit / });
    const registrar = await apiAsOperator(suite.ui.t, "registrar");
    const { body } = await registrar("GET", `/api/v1/users/${userId}`);
    const other = await registrar("POST", "/api/v1/processes/UsersProcEdit", {
      userId,
      version: body.user.version,
      organization: "Elsewhere Ltd",
    });
    expect(other.status).toBe(200);
    await again.getByRole("textbox", { name: "Title" }).fill("Prof.");
    await again.getByRole("button", { name: "Save changes" }).click();
    await again.getByText("has changed since version").waitFor();
    await again.getByRole("button", { name: "Cancel" }).click();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("deactivates a user with a reason, saying what happens, then reactivates; works at 390 px", async () => {
    const { userId, page } = await openNewUserAs("registrar");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("button", { name: "Deactivate" }).click();
    const confirm = page.getByRole("dialog", { name: /^Deactivate / });
    expect(await confirm.textContent()).toContain("0 cards will be locked");
    expect(await confirm.textContent()).toContain("1 card request aborted");
    // Without a reason the server says what is missing, next to the box.
    await confirm.getByRole("button", { name: "Deactivate user" }).click();
    await confirm.getByText("Required.", { exact: true }).waitFor();
    await confirm.getByRole("textbox", { name: "Reason" }).fill("Left the office");
    await screenshot(page, "user-deactivate-390");
    await confirm.getByRole("button", { name: "Deactivate user" }).click();
    await confirm.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Reactivate" }).waitFor();
    expect(await page.getByRole("button", { name: "Deactivate" }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const chief = await apiAsOperator(suite.ui.t, "chief");
    const { body } = await chief("GET", `/api/v1/users/${userId}`);
    expect(body.user.state).toBe("inactive");
    expect(body.cards.map((card: { state: string }) => card.state)).toEqual(["aborted"]);

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole("button", { name: "Reactivate" }).click();
    await page
      .getByRole("dialog", { name: /^Reactivate / })
      .getByRole("button", { name: "Reactivate user" })
      .click();
    await page.getByRole("button", { name: "Deactivate" }).waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("offers no user action to an operator who is not a registration officer", async () => {
    const { page } = await openNewUserAs("auditor");
    await page.getByText("Identifier").first().waitFor();
    expect(await page.getByRole("button", { name: "Deactivate" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Edit", exact: true }).count()).toBe(0);
    await page.context().close();
  });
});
