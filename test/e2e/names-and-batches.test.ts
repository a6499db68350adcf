/**
 * Issue 13, findings 2 and 3: a name that no card can show is refused when the person is
 * registered, with the field named and a way out (a name on card); a card names its batch by
 * number and links it for the roles that may open batches; the batch page lists its cards; a
 * card that failed on its holder's data offers no Repeat production until the holder is corrected.
 */
import { expect, it } from "vitest";
import { insertUser } from "../../src/store/users.js";
import { newUser } from "../../src/test-support/users.js";
import { apiAsOperator, seedApprovedCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot, seriousAccessibilityViolations } from "./support.js";

const long = {
  firstName: "Maximiliane Theodora Friederike",
  lastName: "von Hohenzollern-Sigmaringen-Wittelsbach-Habsburg-Lothringen",
};

describeInChromium("names that fit the card, and batches by number", (suite) => {
  it("refuses a name too long for the card at registration, at the field, and takes a name on card", async () => {
    const page = await suite.openAs("registrar");
    await page.goto(`${suite.ui.baseUrl}/users/new`);
    await page.getByRole("textbox", { name: "First name" }).fill(long.firstName);
    await page.getByRole("textbox", { name: "Last name" }).fill(long.lastName);
    await page.getByRole("textbox", { name: "E-mail" }).fill("maximiliane@office.example");
    await page.getByRole("textbox", { name: "Identifier" }).fill("E2E-LONG-1");
    await page.getByRole("button", { name: "Create user" }).click();

    // The refusal sits at the Name on card box and says why, in the office's words.
    const nameOnCard = page.getByRole("textbox", { name: "Name on card" });
    await expect.poll(() => nameOnCard.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
    // The box's description and its error, as a screen reader reads them with it.
    const describedBy = ((await nameOnCard.getAttribute("aria-describedby")) ?? "")
      .split(" ")
      .filter(Boolean);
    const said = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(said).toContain(
      `The full name is ${long.firstName.length + 1 + long.lastName.length} characters long and a card holds at most 64: give a shorter name on card, as it should be printed.`,
    );
    await page.getByText("Some fields need a correction").waitFor();
    await screenshot(page, "user-create-name-too-long");
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await nameOnCard.fill("Maximiliane von Hohenzollern");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("heading", { name: new RegExp(long.lastName) }).waitFor();
    await page.getByText("Maximiliane von Hohenzollern", { exact: true }).waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("links a card to its batch by number, and the batch page lists the card", async () => {
    const { t } = suite.ui;
    const cardIds = await seedApprovedCards(t, 2);
    const production = await apiAsOperator(t, "production");
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect(order.status).toBe(202);
    await t.app.runner.idle();
    const batch = (await production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    const card = (await production("GET", `/api/v1/cards/${cardIds[1]}`)).body;
    expect(card.state).toBe("issued");

    const page = await suite.openAs("production");
    await page.goto(`${suite.ui.baseUrl}/cards/${card.id}`);
    const link = page.getByRole("link", { name: `Batch ${batch.number}`, exact: true }).first();
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(`/batches/${batch.id}`);
    await screenshot(page, "card-batch-by-number");

    await link.click();
    await page.getByRole("heading", { name: new RegExp(`Batch ${batch.number}$`) }).waitFor();
    const cardsTable = page.getByRole("table", { name: "Cards of the batch" });
    const row = cardsTable.getByRole("row").filter({ hasText: card.cardNumber });
    await row.waitFor();
    expect(await row.textContent()).toContain("Produced");
    expect(await row.getByRole("link", { name: card.cardNumber }).getAttribute("href")).toBe(
      `/cards/${card.id}`,
    );

    // The Cards list names the batch too.
    await page.goto(`${suite.ui.baseUrl}/cards?q=${card.cardNumber}`);
    const listed = page.getByRole("row").filter({ hasText: card.cardNumber });
    await listed.getByRole("link", { name: `Batch ${batch.number}`, exact: true }).waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();

    // A registrar may not open batches: the card names its batch, but offers no link to a page
    // that would only answer "Not for your roles".
    const registrar = await suite.openAs("registrar");
    await registrar.goto(`${suite.ui.baseUrl}/cards/${card.id}`);
    await registrar.getByRole("heading", { name: `Card ${card.cardNumber}` }).waitFor();
    await registrar.getByText(`Batch ${batch.number}`, { exact: true }).first().waitFor();
    expect(await registrar.getByRole("link", { name: `Batch ${batch.number}` }).count()).toBe(0);
    await registrar.goto(`${suite.ui.baseUrl}/cards?q=${card.cardNumber}`);
    const listedForRegistrar = registrar.getByRole("row").filter({ hasText: card.cardNumber });
    await listedForRegistrar.getByText(`Batch ${batch.number}`, { exact: true }).waitFor();
    expect(await listedForRegistrar.getByRole("link", { name: `Batch ${batch.number}` }).count()).toBe(0);
    expect(errorsThrownBy(registrar)).toEqual([]);
    await registrar.context().close();
  });

  it("shows a batch that failed on a holder's name as Completed with failures, and no Repeat production until the holder is corrected", async () => {
    const { t } = suite.ui;
    // A person registered before names were checked.
    const userId = "e2e-legacy-long-name";
    await insertUser(
      t.app.services.store.db,
      newUser({ id: userId, identifier: "E2E-LEGACY-1", email: "legacy@office.example", ...long }),
      new Date().toISOString(),
    );
    const registrar = await apiAsOperator(t, "registrar");
    const approver = await apiAsOperator(t, "approver");
    const production = await apiAsOperator(t, "production");
    const cardId = (
      await registrar("POST", "/api/v1/processes/CardsProcRequest", { userId, template: "Employee ID" })
    ).body.card.id as string;
    await approver("POST", "/api/v1/processes/CardsProcApprove", { cardId, decision: "approve" });
    const order = await production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds: [cardId],
    });
    await t.app.runner.idle();
    const batch = (await production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch).toMatchObject({ state: "completed", done: 0, failed: 1 });

    const page = await suite.openAs("chief");
    await page.goto(`${suite.ui.baseUrl}/batches/${batch.id}`);
    await page.getByText("Completed with failures", { exact: true }).first().waitFor();
    expect(await page.getByText("Completed", { exact: true }).count()).toBe(0);
    await page.goto(`${suite.ui.baseUrl}/batches`);
    const ofThisBatch = page.getByRole("row").filter({ hasText: `Batch ${batch.number}` });
    await ofThisBatch.getByText("Completed with failures", { exact: true }).waitFor();

    await page.goto(`${suite.ui.baseUrl}/cards/${cardId}`);
    await page.getByText("Correct the holder first").waitFor();
    expect(await page.getByRole("button", { name: "Repeat production" }).count()).toBe(0);
    await screenshot(page, "card-failed-on-holder-name");
    await page.getByRole("link", { name: "Open the holder to edit them" }).click();
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: /^Edit / });
    await dialog.getByRole("textbox", { name: "Name on card" }).fill("M. von Hohenzollern");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.goto(`${suite.ui.baseUrl}/cards/${cardId}`);
    await page.getByRole("button", { name: "Repeat production" }).waitFor();
    expect(await page.getByText("Correct the holder first").count()).toBe(0);
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
