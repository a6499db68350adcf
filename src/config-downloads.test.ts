import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { roleNames, roles } from "./domain/roles.js";

const fresh = () => mkdtempSync(path.join(tmpdir(), "tessera-downloads-"));

describe("the download setting: who may fetch a batch's files and a card's token", () => {
  it("splits a card's secret by default: print file and tokens to production, PIN letters to the PIN mailer, one token download", () => {
    expect(roles).toContain("pinMailer");
    expect(roleNames.pinMailer).toBe("PIN mailer");
    expect(loadConfig({ env: {}, cwd: fresh() }).downloads).toEqual({
      printFile: ["productionAdministrator"],
      pinLetters: ["pinMailer"],
      tokens: ["productionAdministrator"],
      tokenLimit: 1,
    });
  });

  it("takes the roles from the environment or the config file, the environment winning", () => {
    const cwd = fresh();
    writeFileSync(
      path.join(cwd, "tessera.json"),
      JSON.stringify({
        downloads: { pinLetters: ["helpdesk"], tokens: ["issuingAuthority"], tokenLimit: 3 },
      }),
    );
    const fromFile = loadConfig({ env: { TESSERA_CONFIG: "tessera.json" }, cwd });
    expect(fromFile.downloads).toEqual({
      printFile: ["productionAdministrator"],
      pinLetters: ["helpdesk"],
      tokens: ["issuingAuthority"],
      tokenLimit: 3,
    });
    const fromEnv = loadConfig({
      env: {
        TESSERA_CONFIG: "tessera.json",
        TESSERA_PIN_LETTER_ROLES: "pinMailer, auditor",
        TESSERA_PRINT_FILE_ROLES: "productionAdministrator,administrator",
        TESSERA_TOKEN_DOWNLOADS: "2",
      },
      cwd,
    });
    expect(fromEnv.downloads).toEqual({
      printFile: ["productionAdministrator", "administrator"],
      pinLetters: ["pinMailer", "auditor"],
      tokens: ["issuingAuthority"],
      tokenLimit: 2,
    });
  });

  it("refuses to start when one role may fetch both the PIN letters and the tokens, naming the setting", () => {
    const start = (env: Record<string, string>) => () => loadConfig({ env, cwd: fresh() });
    expect(start({ TESSERA_PIN_LETTER_ROLES: "productionAdministrator" })).toThrow(
      expect.objectContaining({ code: "config.invalid" }),
    );
    expect(start({ TESSERA_PIN_LETTER_ROLES: "productionAdministrator" })).toThrow(
      /^Setting downloads \(TESSERA_PIN_LETTER_ROLES \/ TESSERA_TOKEN_ROLES\): the role productionAdministrator may fetch both the PIN letters and the software tokens/,
    );
    expect(start({ TESSERA_TOKEN_ROLES: "pinMailer,helpdesk" })).toThrow(/the role pinMailer may fetch both/);
    const cwd = fresh();
    writeFileSync(
      path.join(cwd, "tessera.json"),
      JSON.stringify({ downloads: { pinLetters: ["approver"], tokens: ["approver"] } }),
    );
    expect(() => loadConfig({ env: { TESSERA_CONFIG: "tessera.json" }, cwd })).toThrow(
      /the role approver may fetch both/,
    );
  });

  it.each([
    [{ TESSERA_TOKEN_ROLES: "root" }, 'Setting TESSERA_TOKEN_ROLES: "root" is not a role'],
    [
      { TESSERA_TOKEN_DOWNLOADS: "0" },
      "Setting TESSERA_TOKEN_DOWNLOADS: must be a whole number from 1 to 100",
    ],
    [{ TESSERA_TOKEN_DOWNLOADS: "many" }, "Setting TESSERA_TOKEN_DOWNLOADS"],
  ])("refuses a bad download setting %j with a sentence naming it", (env, message) => {
    expect(() => loadConfig({ env, cwd: fresh() })).toThrow(message);
  });

  it("says whether the public URL was set, rather than defaulted to localhost", () => {
    expect(loadConfig({ env: {}, cwd: fresh() })).toMatchObject({
      publicUrl: "http://localhost:3000",
      publicUrlSet: false,
    });
    expect(
      loadConfig({ env: { TESSERA_PUBLIC_URL: "https://id.example.org/" }, cwd: fresh() }),
    ).toMatchObject({
      publicUrl: "https://id.example.org",
      publicUrlSet: true,
    });
  });
});
