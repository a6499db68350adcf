import { expect, it } from "vitest";
import { describeInChromium, errorsThrownBy, seriousAccessibilityViolations } from "./support.js";

describeInChromium("administration dialogs", (suite) => {
  /** A fresh browser context, logged in as the chief administrator, on `path`. */
  const openAsChief = async (path: string) => {
    const page = await suite.openAs("chief");
    await page.goto(`${suite.ui.baseUrl}${path}`);
    return page;
  };

  it("tokens: new, copy, done, revoke", async () => {
    const page = await openAsChief("/administration/tokens");
    await page.getByRole("button", { name: "New API token" }).click();
    const dialog = page.getByRole("dialog", { name: "New API token" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("nightly");
    await dialog.getByRole("button", { name: "Create token" }).click();
    await dialog.getByText("Copy the token now").waitFor();
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("table", { name: "API tokens" }).getByText("nightly").waitFor();
    await page.getByRole("button", { name: "Revoke nightly" }).click();
    const revoke = page.getByRole("dialog", { name: "Revoke the token?" });
    expect(await revoke.textContent()).toContain("Scripts using “nightly” stop working at once.");
    await revoke.getByRole("button", { name: "Revoke token" }).click();
    await revoke.waitFor({ state: "detached" });
    await page.getByText("The token “nightly” is revoked.").waitFor();
    // The New dialog opens again after it closed.
    await page.getByRole("button", { name: "New API token" }).click();
    await page.getByRole("dialog", { name: "New API token" }).getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog", { name: "New API token" }).waitFor({ state: "detached" });
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("CA: names the CA's key, how it signs and its OCSP responder's key", async () => {
    const page = await openAsChief("/administration/ca");
    // The test CA is created with the default key type.
    await page.getByText("P-384 (p384), stored encrypted").waitFor();
    await page.getByText("ecdsa-with-SHA384").waitFor();
    expect(await page.getByText(/^P-384, until /).count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("operators: new with a field error, then created; edit saves", async () => {
    const page = await openAsChief("/administration/operators");
    await page.getByRole("button", { name: "New operator" }).click();
    const dialog = page.getByRole("dialog", { name: "New operator" });
    await dialog.waitFor();
    // An open dialog is part of the page: its ✕ too has a name.
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await dialog.getByRole("textbox", { name: "Username" }).fill("Bad Name");
    await dialog.getByRole("checkbox", { name: "Auditor" }).check();
    await dialog.getByRole("button", { name: "Create operator" }).click();
    // The refusal shows at the field it concerns (the description above it says the rule too).
    const username = dialog.getByRole("textbox", { name: "Username" });
    await expect.poll(() => username.getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.locator(".mantine-InputWrapper-error").allTextContents()).toEqual([
      expect.stringMatching(/^Lower-case letters, digits, and \. _ - only/),
    ]);
    await dialog.getByRole("textbox", { name: "Username" }).fill("newbie");
    await dialog.getByRole("button", { name: "Create operator" }).click();
    await dialog.getByText("newbie can log in").waitFor();
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Edit newbie" }).click();
    const edit = page.getByRole("dialog", { name: "Operator newbie" });
    await edit.getByRole("switch", { name: /Disabled: cannot log in/ }).check({ force: true });
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await page.getByText("newbie is changed.").waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });

  it("audit, certificates, users, cards, batches lists search", async () => {
    const page = await openAsChief("/audit?outcome=success");
    await page.getByRole("table", { name: "Object history" }).waitFor();
    await page.getByText("Times are shown in your time zone.").waitFor();
    expect(await page.title()).toBe("Audit · Tessera");
    await page.getByRole("button", { name: "Verify chain" }).waitFor();
    // Days are typed as every date is shown (YYYY-MM-DD), not in a browser locale's mm/dd/yyyy.
    const from = page.getByRole("textbox", { name: "From", exact: true });
    expect(await from.getAttribute("placeholder")).toBe("YYYY-MM-DD");
    await from.fill("2026-01-31");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("from")).toBe("2026-01-31");
    await page.goto(`${suite.ui.baseUrl}/certificates`);
    await page.getByText("No certificate matches.").waitFor();
    await page.goto(`${suite.ui.baseUrl}/users?q=zzz`);
    await page.getByText("No user matches these criteria.").waitFor();
    expect(await page.getByRole("textbox", { name: "Name, identifier or e-mail" }).inputValue()).toBe("zzz");
    await page.getByRole("link", { name: "Create user" }).waitFor();
    await page.goto(`${suite.ui.baseUrl}/cards`);
    await page.getByText("No card matches these criteria.").waitFor();
    await page.goto(`${suite.ui.baseUrl}/batches`);
    await page.getByText("No batch order has run yet.").waitFor();
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
