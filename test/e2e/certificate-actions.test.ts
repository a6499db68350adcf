/**
 * The certificate page's processes (issue 9: the web's process calls typed by each process's
 * contract): Put on hold, Release hold and Revoke certificate, each confirmed in its dialog; a
 * revocation sends the reason chosen, and the certificate's state and reason are the server's.
 */
import { expect, it } from "vitest";
import { apiAsOperator, seedActiveCards } from "./fixtures.js";
import { describeInChromium, errorsThrownBy } from "./support.js";

describeInChromium("a certificate's processes on its page", (suite) => {
  it("puts on hold, releases, then revokes for the reason chosen", async () => {
    const { t } = suite.ui;
    const [cardId] = await seedActiveCards(t, 1);
    const chief = await apiAsOperator(t, "chief");
    const listed = await chief("GET", `/api/v1/certificates?card=${cardId}`);
    const serial: string = listed.body.items[0].serial;
    const certificate = async () =>
      (await chief("GET", `/api/v1/certificates/${serial}`)).body.certificate as {
        state: string;
        revocationReason: string | null;
      };

    const page = await suite.openAs("chief");
    await page.goto(`${suite.ui.baseUrl}/certificates/${serial}`);
    const confirm = async (action: string) => {
      await page.getByRole("button", { name: action }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      return dialog;
    };

    const hold = await confirm("Put on hold");
    await hold.getByRole("button", { name: "Put on hold" }).click();
    await hold.waitFor({ state: "detached" });
    await expect.poll(async () => (await certificate()).state).toBe("onHold");

    const release = await confirm("Release hold");
    await release.getByRole("button", { name: "Release hold" }).click();
    await release.waitFor({ state: "detached" });
    await expect.poll(async () => (await certificate()).state).toBe("valid");

    const revoke = await confirm("Revoke");
    // No reason, no revocation: the dialog's button waits for one.
    expect(await revoke.getByRole("button", { name: "Revoke" }).isDisabled()).toBe(true);
    await revoke.getByRole("combobox", { name: "Reason" }).click();
    await page.getByRole("option", { name: "Affiliation changed" }).click();
    await revoke.getByRole("button", { name: "Revoke" }).click();
    await revoke.waitFor({ state: "detached" });
    await expect
      .poll(certificate)
      .toMatchObject({ state: "revoked", revocationReason: "affiliationChanged" });
    expect(errorsThrownBy(page)).toEqual([]);
    await page.context().close();
  });
});
