/**
 * Issue 13, finding 6: after one operator logged out, the next landed on the previous operator's
 * page; and the production administrator's dashboard showed approvals it cannot act on.
 */
import { expect, it } from "vitest";
import { describeInChromium, errorsThrownBy, logIn, logOut } from "./support.js";

describeInChromium("handing the screen over", (suite) => {
  it("starts the next operator at their own dashboard after a log out, not on the last operator's page", async () => {
    const page = await suite.openAs("registrar");
    await page.goto(`${suite.ui.baseUrl}/users?q=ada`);
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await logOut(page);
    await page.getByText("You have logged out.").waitFor();
    expect(new URL(page.url()).search).not.toContain("next=");
    await logIn(page, suite.ui.baseUrl, "approver");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("shows each role's dashboard what it acts on: approvals to the approver, not to production", async () => {
    const page = await suite.openAs("approver");
    await page.getByRole("heading", { name: "Requests waiting for approval" }).waitFor();
    await logOut(page);
    await logIn(page, suite.ui.baseUrl, "production");
    await page.getByRole("heading", { name: "Running and recent batches" }).waitFor();
    expect(await page.getByRole("heading", { name: "Requests waiting for approval" }).count()).toBe(0);
    await page.context().close();
  });
});
