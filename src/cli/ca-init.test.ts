import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cliPath } from "../test-support/cli.js";
import { createScratchFolder } from "../test-support/files.js";
import {
  blankCardReaderForSuite,
  hasSoftHsm,
  softHsmModule,
  transportUserPin,
} from "../test-support/softhsm.js";

/** `tessera ca init` as an operator runs it: the PIN in an environment variable, the CA in SoftHSM. */
describe.skipIf(!hasSoftHsm())("tessera ca init", () => {
  const softHsm = blankCardReaderForSuite(0, ["Office CA"]);
  const { dir } = createScratchFolder("tessera-ca-init-");
  const tessera = (environment: Record<string, string>, ...args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SOFTHSM2_CONF: softHsm.reader.conf,
      TESSERA_DATA_DIR: dir,
      DATABASE_URL: "",
      TESSERA_CA_KEY_PASSPHRASE: "test passphrase for the CA key",
      TESSERA_PUBLIC_URL: "https://tessera.example.org",
      TESSERA_DEMO: "false",
      TESSERA_ADMIN_PASSWORD: "",
      LOG_LEVEL: "silent",
      ...environment,
    };
    delete env.TESSERA_CA_PIN;
    if (environment.TESSERA_CA_PIN) env.TESSERA_CA_PIN = environment.TESSERA_CA_PIN;
    return spawnSync("node", [cliPath, ...args], { encoding: "utf8", timeout: 60_000, env });
  };
  const init = (environment: Record<string, string>, ...args: string[]) =>
    tessera(
      environment,
      "ca",
      "init",
      "--pkcs11-module",
      softHsmModule,
      "--token-label",
      "Office CA",
      ...args,
    );

  it("refuses, saying why and without a stack trace, when the PIN, the token or the module is wrong", () => {
    const refusals = [
      [init({}), /TESSERA_CA_PIN, the environment variable that holds its PIN, is not set/],
      [init({ OFFICE_PIN: "1234" }, "--pin-env", "OTHER_PIN"), /OTHER_PIN, the environment variable/],
      [
        init({ TESSERA_CA_PIN: "999999" }),
        /Logging in as user on token \w+ \("Office CA"\) failed: CKR_PIN_INCORRECT/,
      ],
      [
        tessera(
          { TESSERA_CA_PIN: transportUserPin },
          "ca",
          "init",
          "--pkcs11-module",
          softHsmModule,
          "--token-label",
          "Absent CA",
        ),
        /No token labelled "Absent CA" is in a reader of/,
      ],
      [
        init({ TESSERA_CA_PIN: transportUserPin }, "--pkcs11-module", `${dir}/none.so`),
        /The PKCS#11 module .*none\.so cannot be loaded/,
      ],
    ] as const;
    for (const [result, reason] of refusals) {
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.status).toBe(1);
    }
    const badType = init({ TESSERA_CA_PIN: transportUserPin }, "--key-type", "ed25519");
    expect(badType.stderr).toMatch(/--key-type is p384 or rsa3072/);
    expect(badType.status).toBe(2);
  });

  it("creates the CA in the token, which Tessera then starts with, its PIN from the variable named", () => {
    const created = init({ OFFICE_PIN: transportUserPin }, "--pin-env", "OFFICE_PIN");
    expect(created.stderr).toBe("");
    expect(created.stdout).toMatch(
      /^CA [0-9a-f]+ created: its P-384 key \(id [0-9a-f]{40}\) is in token "Office CA" \(serial [0-9a-f]+\) of .*libsofthsm2\.so\.\nTessera reads the token's PIN from OFFICE_PIN at every start: set it there\.\n$/,
    );
    expect(created.status).toBe(0);

    const again = init({ OFFICE_PIN: transportUserPin }, "--pin-env", "OFFICE_PIN");
    expect(again.stderr).toMatch(/A CA exists already, its key in token "Office CA"/);
    expect(again.status).toBe(1);

    const started = tessera({ OFFICE_PIN: transportUserPin }, "audit", "verify");
    expect(started.stderr).toBe("");
    expect(started.stdout).toMatch(/The object history is intact/);
    const withoutPin = tessera({}, "audit", "verify");
    expect(withoutPin.stderr).toMatch(/OFFICE_PIN, the environment variable that holds its PIN, is not set/);
    expect(withoutPin.status).toBe(1);
  });
});
