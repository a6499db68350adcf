import { spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productionWorkerInit } from "../app.js";
import type { TesseraError } from "../domain/errors.js";
import { toPem } from "../pki/index.js";
import { testCard, testJob } from "../production/test-kit.js";
import { createWorkerPool } from "../production/worker-pool.js";
import { findCaRecord } from "../store/certificate-authority.js";
import { openStore } from "../store/database.js";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { issueCardlessCertificate } from "../test-support/pki.js";
import {
  blankCardReaderForSuite,
  hasSoftHsm,
  softHsmModule,
  transportUserPin,
} from "../test-support/softhsm.js";
import { createTestApp, listenOnRealTime, type TestApp } from "../test-support/test-app.js";
import {
  softHsmCaToken,
  startTokenCa,
  tokenCaPinVariable,
  tokenCaSecrets,
  tokenCaSettings,
} from "../test-support/token-ca.js";
import { hasTool } from "../test-support/tools.js";
import { createTokenCertificateAuthority } from "./create-token-certificate-authority.js";

/**
 * Issue 10, "The CA key in a token": `ca init` makes the CA key in SoftHSM; certificates, CRLs and
 * the OCSP responder's certificate are then signed there, and OpenSSL, not Tessera, says whether
 * they verify against the CA certificate. pkcs11-tool says what the key in the token may do.
 */
const tools = hasSoftHsm() && hasTool("openssl", "openssl");
const pinVariable = tokenCaPinVariable;
const { dir, file } = createScratchFolder("tessera-token-ca-");
const openssl = (...args: string[]) => {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
};

const tokenLabels = { p384: "CA P-384", rsa3072: "CA RSA-3072" } as const;
const softHsm = blankCardReaderForSuite(0, [...Object.values(tokenLabels), "CA errors", "CA cli"]);

describe
  .runIf(tools)
  .each(
    dialects.flatMap((dialect) =>
      (["p384", "rsa3072"] as const).map((keyType) => [keyType, dialect] as const),
    ),
  )("a CA whose %s key is in a SoftHSM token, on %s", (keyType, dialect) => {
  let t: TestApp;
  let database: TestDatabase;
  let created: Awaited<ReturnType<typeof createTokenCertificateAuthority>>;
  let caFile: string;
  let baseUrl: string;
  const label = tokenLabels[keyType];
  const tag = `${keyType}-${dialect}`;

  beforeAll(async () => {
    ({ t, database, created } = await startTokenCa(dialect, path.join(dir, `${keyType}-${dialect}.sqlite`), {
      label,
      keyType,
    }));
    baseUrl = await listenOnRealTime(t);
    caFile = file(`ca-${tag}.pem`, t.app.services.ca.chainPem);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it("made the key in the token: private, sensitive, never extractable, sign only, and the CA certificate over it", async () => {
    const objects = softHsm.reader.privateKeyObjects(label);
    const key = objects.split(/\n(?=Private Key Object)/).find((block) => block.includes(created.keyId))!;
    expect(key).toMatch(keyType === "p384" ? /Private Key Object; EC/ : /Private Key Object; RSA/);
    expect(key).toMatch(/Usage:\s+sign\s*\n/);
    expect(key).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);

    const text = openssl("x509", "-noout", "-text", "-in", caFile);
    expect(text).toContain("CN = Tessera Token CA");
    expect(text).toMatch(keyType === "p384" ? /NIST CURVE: P-384/ : /Public-Key: \(3072 bit\)/);
    expect(text).toMatch(keyType === "p384" ? /ecdsa-with-SHA384/ : /sha256WithRSAEncryption/);
    expect(text).toMatch(/CA:TRUE/);
    // The self-signature verifies, and the certificate's key is the token's public key.
    expect(openssl("verify", "-x509_strict", "-CAfile", caFile, caFile)).toContain(": OK");
    // pkcs11-tool's own view of the token's public key (its --read-object cannot export an EC one).
    const spki = t.app.services.ca.identity.publicKey;
    if (keyType === "p384") {
      const publicKeys = softHsm.reader.pkcs11Tool(
        "--token-label",
        label,
        "--list-objects",
        "--type",
        "pubkey",
      );
      const point = spki.subarray(spki.length - 97).toString("hex");
      expect(publicKeys).toMatch(new RegExp(`EC_POINT:\\s+0461${point}\\s[\\s\\S]*?ID:\\s+${created.keyId}`));
    } else {
      const onToken = spawnSync(
        "pkcs11-tool",
        [
          "--module",
          softHsmModule,
          "--token-label",
          label,
          "--read-object",
          "--type",
          "pubkey",
          "--id",
          created.keyId,
        ],
        { env: { ...process.env, SOFTHSM2_CONF: softHsm.reader.conf } },
      ).stdout;
      const inCertificate = new X509Certificate(t.app.services.ca.identity.certificateDer).publicKey;
      expect(createPublicKey({ key: onToken, format: "der", type: "spki" }).equals(inCertificate)).toBe(true);
    }
  });

  it("recorded where the key is and the PIN's variable, never the key or the PIN", async () => {
    const record = (await findCaRecord(t.app.services.store.db))!;
    expect(record.privateKey).toBeNull();
    expect(record.keyInToken).toEqual({
      modulePath: softHsmModule,
      tokenLabel: label,
      keyId: created.keyId,
      pinVariable,
    });
    expect(JSON.stringify(record.keyInToken)).not.toContain(transportUserPin);
    expect(t.app.services.ca.workerKey).toBeUndefined();
  });

  it("signs a certificate, a CRL and (through its responder) OCSP answers that OpenSSL verifies", async () => {
    const issue = async (initialState: "valid" | "onHold") => {
      const certificate = await issueCardlessCertificate(t, {
        profile: { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" },
        subject: {
          commonName: `Token Holder ${initialState}`,
          organization: "Tessera Test Office",
          organizationalUnit: "Finance",
          serialNumber: `E-${initialState}`,
          email: "holder@example.org",
          upn: "holder@corp.example.org",
        },
        publicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
          type: "spki",
          format: "der",
        }),
        initialState,
      });
      return file(`${tag}-${certificate.serial}.pem`, toPem(certificate.der, "CERTIFICATE"));
    };
    const valid = await issue("valid");
    const held = await issue("onHold");
    const crl = await t.app.services.crl.current();
    const crlFile = file(`crl-${tag}-${crl.number}.pem`, toPem(crl.der, "X509 CRL"));

    expect(openssl("crl", "-noout", "-in", crlFile, "-CAfile", caFile)).toMatch(/verify OK/);
    const check = (certFile: string) =>
      openssl("verify", "-x509_strict", "-CAfile", caFile, "-crl_check", "-CRLfile", crlFile, certFile);
    expect(check(valid)).toContain(": OK");
    expect(check(held)).toMatch(/certificate revoked/);

    const ocspValid = await askOcsp({ caFile, certFile: valid, responderUrl: `${baseUrl}/pki/ocsp` });
    expect(ocspValid).toContain("Response verify OK");
    expect(ocspValid).toMatch(/: good/);
    const ocspHeld = await askOcsp({ caFile, certFile: held, responderUrl: `${baseUrl}/pki/ocsp` });
    expect(ocspHeld).toContain("Response verify OK");
    expect(ocspHeld).toMatch(/: revoked/);
    expect(ocspHeld).toMatch(/Reason: certificateHold/);
  });

  it("has the production workers sign card certificates through their own sessions on the token", async () => {
    const init = productionWorkerInit(t.app.config, t.app.services.ca);
    expect(init.caSigningKey).toBeUndefined();
    expect(init.caToken).toMatchObject({
      modulePath: softHsmModule,
      tokenLabel: label,
      keyId: created.keyId,
    });
    const pool = createWorkerPool({ size: 2, init });
    try {
      const results = await Promise.all(
        [1, 2].map((chunk) =>
          pool.run(testJob(dir, chunk + (keyType === "p384" ? 0 : 10), [testCard("Employee ID")])),
        ),
      );
      for (const result of results) {
        const [card] = result.cards;
        if (!card?.ok) throw new Error(`the card failed: ${JSON.stringify(card)}`);
        expect(card.certificates).toHaveLength(2);
        for (const certificate of card.certificates) {
          const certFile = file(
            `${tag}-card-${certificate.serial}.pem`,
            toPem(Buffer.from(certificate.der), "CERTIFICATE"),
          );
          expect(openssl("verify", "-x509_strict", "-CAfile", caFile, certFile)).toContain(": OK");
        }
      }
    } finally {
      await pool.close();
    }
  });
});

describe.runIf(tools)("ca init and a token CA's start refuse, saying why", () => {
  const label = "CA errors";
  let database: TestDatabase;
  let store: Awaited<ReturnType<typeof openStore>>;
  const init = (overrides: Partial<Parameters<typeof createTokenCertificateAuthority>[1]>, pin?: string) =>
    createTokenCertificateAuthority(
      store,
      { ...softHsmCaToken(label), ...overrides },
      tokenCaSettings(pin === undefined ? {} : { [pinVariable]: pin }),
      () => new Date(),
    );
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: "no error", message: "" }),
      (error: TesseraError) => ({ code: error.code, message: error.message }),
    );

  beforeAll(async () => {
    database = await createTestDatabase("sqlite", path.join(dir, "errors.sqlite"));
    store = await openStore(database.settings);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("when the PIN's environment variable is unset, naming it", async () => {
    expect(await failure(init({}))).toEqual({
      code: "ca.token_pin_unset",
      message: expect.stringContaining(
        `${pinVariable}, the environment variable that holds its PIN, is not set`,
      ),
    });
  });

  it("when the PIN is wrong, the module does not load or no token has the label", async () => {
    expect(await failure(init({}, "999999"))).toEqual({
      code: "pkcs11.pin_incorrect",
      message: expect.stringMatching(
        /Logging in as user on token \w+ \("CA errors"\) failed: CKR_PIN_INCORRECT/,
      ),
    });
    expect(
      await failure(init({ modulePath: path.join(dir, "no-such-module.so") }, transportUserPin)),
    ).toEqual({
      code: "pkcs11.module_unavailable",
      message: expect.stringContaining("no-such-module.so cannot be loaded"),
    });
    expect(await failure(init({ tokenLabel: "CA absent" }, transportUserPin))).toEqual({
      code: "pkcs11.token_not_found",
      message: `No token labelled "CA absent" is in a reader of ${softHsmModule}.`,
    });
    // None of them left a CA behind.
    expect(await findCaRecord(store.db)).toBeUndefined();
  });

  it("removes the key it made from the token when the CA cannot be made around it", async () => {
    const privateKeys = () => softHsm.reader.privateKeyObjects(label);
    const before = privateKeys();
    const tooLong = createTokenCertificateAuthority(
      store,
      softHsmCaToken(label),
      { ...tokenCaSettings({ [pinVariable]: transportUserPin }), name: "N".repeat(65) },
      () => new Date(),
    );
    expect(await failure(tooLong)).toMatchObject({ code: "certificate.subject_too_long" });
    expect(privateKeys()).toBe(before);
    expect(await findCaRecord(store.db)).toBeUndefined();
  });

  it("when a CA whose key is in a token exists already", async () => {
    expect(await failure(init({}, transportUserPin))).toEqual({ code: "no error", message: "" });
    expect(await failure(init({}, transportUserPin))).toEqual({
      code: "ca.init_not_allowed",
      message: expect.stringContaining(`A CA exists already, its key in token "${label}"`),
    });
  });

  it("a start without the PIN, or with a wrong one, stops with the cause", async () => {
    const start = (environment: Record<string, string>) =>
      failure(
        createTestApp("sqlite", {
          config: { database: database.settings, secrets: tokenCaSecrets(environment) },
        }).then((t) => t.close()),
      );
    expect(await start({})).toMatchObject({ code: "ca.token_pin_unset" });
    expect(await start({ [pinVariable]: "999999" })).toMatchObject({
      code: "pkcs11.pin_incorrect",
      message: expect.stringContaining("CKR_PIN_INCORRECT"),
    });
  });
});
