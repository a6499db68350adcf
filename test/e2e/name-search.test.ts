/**
 * Issue 13, "search that people expect": an approver who types the middle of a double-barrelled
 * name finds the request, and a search that finds nothing says so without claiming that nothing
 * is waiting, when requests are. The Users page finds a user by any word of the name and says so.
 */
import { expect, it } from "vitest";
import { createUser } from "../../src/test-support/api-setup.js";
import { apiAsOperator } from "./fixtures.js";
import { describeInChromium, errorsThrownBy, screenshot } from "./support.js";

describeInChromium("searching requests by name", (suite) => {
  it("finds Maria-Magdalena by 'magdalena' and says how many wait when nothing matches", async () => {
    const { t } = suite.ui;
    const registrar = await apiAsOperator(t, "registrar");
    for (const [i, name] of [
      { firstName: "Anna", lastName: "Maria-Magdalena Svensson" },
      { firstName: "Bo", lastName: "Lindqvist" },
      { firstName: "Cia", lastName: "Holm" },
    ].entries()) {
      const userId = await createUser(registrar, {
        ...name,
        email: `name-search-${i}@office.example`,
        identifier: `NS-${i}`,
      });
      const requested = await registrar("POST", "/api/v1/processes/CardsProcRequest", {
        userId,
        template: "Employee ID",
      });
      expect(requested.body.card?.state).toBe("requested");
    }
    // How many wait, as the API counts them (other tests of the suite may have requested some).
    const waiting = (await registrar("GET", "/api/v1/cards?state=requested&limit=1")).body.total as number;
    expect(waiting).toBeGreaterThanOrEqual(3);

    const page = await suite.openAs("approver");
    await page.goto(`${suite.ui.baseUrl}/approvals`);
    const nameBox = page.getByRole("textbox", { name: "Holder name or card number" });
    const requests = page.getByRole("table", { name: "Card requests waiting for approval" });

    // A word inside the last name, not its start: found.
    await nameBox.fill("magdalena");
    await page.getByRole("button", { name: "Search" }).click();
    // The list before the search held every request: wait for the search's own answer.
    await expect.poll(() => page.url()).toContain("q=magdalena");
    await expect.poll(() => requests.getByRole("row").count()).toBe(2); // the header and one request
    expect(await requests.getByRole("row").nth(1).textContent()).toContain("Anna Maria-Magdalena Svensson");
    await screenshot(page, "approvals-name-search");

    // Nothing matches: the page says so, and how many requests wait without the name.
    await nameBox.fill("Zebulon");
    await page.getByRole("button", { name: "Search" }).click();
    await page
      .getByText(`No card requests match 'Zebulon'. ${waiting} are waiting.`, { exact: true })
      .waitFor();
    expect(await page.getByText("No request is waiting for approval.").count()).toBe(0);
    await screenshot(page, "approvals-name-search-empty");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("finds a user by a word inside the first name, as the Users page says it does", async () => {
    const registrar = await apiAsOperator(suite.ui.t, "registrar");
    await createUser(registrar, {
      firstName: "Karin Ingegerd",
      lastName: "Oxenstierna",
      email: "name-search-users@office.example",
      identifier: "NS-U1",
    });

    const page = await suite.openAs("registrar");
    await page.goto(`${suite.ui.baseUrl}/users`);
    // The page's own words about its search: not "the start of the last name" when any word is found.
    const description = await page.getByText(/^The people the office makes cards for\./).textContent();
    expect(description).not.toContain("start of the last name");
    expect(description).toContain("any word of the name");
    await page.getByRole("textbox", { name: "Name, identifier or e-mail" }).fill("ingegerd");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => page.url()).toContain("q=ingegerd");
    await page.getByText("1–1 of 1 user").waitFor();
    expect(await page.getByRole("link", { name: "Oxenstierna, Karin Ingegerd" }).count()).toBe(1);
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
