import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import type { Config } from "../config.js";
import type { CaKeyType } from "../domain/ca-key-types.js";
import { createCertificateIssuer, createThreadSigner, newSerial, toPem } from "../pki/index.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { caSettingsOf } from "../test-support/pki.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";
import { loadCertificateAuthority } from "./certificate-authority.js";
import { importCertificateAuthority } from "./import-certificate-authority.js";

const { file } = createScratchFolder("tessera-ca-key-type-");
const openssl = (args: string[], input?: Buffer | string) =>
  execFileSync("openssl", args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
/** OpenSSL's description of a DER certificate: its key and signature algorithm. */
const describeCertificate = (der: Buffer) => openssl(["x509", "-inform", "DER", "-noout", "-text"], der);
const caConfig = (keyType: CaKeyType | undefined): Config["ca"] => ({
  name: "Tessera Test CA",
  validityYears: 10,
  ...(keyType ? { keyType } : {}),
});

/** A logger that keeps what it writes at warn and above, parsed. */
function warnings() {
  const lines: { level: number; msg: string; setting?: string }[] = [];
  const log = pino(
    { level: "warn" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  return { log, lines };
}

describe.runIf(hasTool("openssl", "openssl")).each(dialects)(
  "the CA key type set at first start, on %s",
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, { config: { ca: caConfig("rsa3072") } });
    });
    afterAll(() => t.close());

    /** Starts Tessera again on the same database with the CA key type `keyType` set. */
    async function restart(keyType: CaKeyType | undefined) {
      const { log, lines } = warnings();
      const app = await createApp({ ...t.app.config, ca: caConfig(keyType) }, { clock: t.clock, log });
      const ca = app.services.ca.identity;
      await app.close();
      return { ca, warnings: lines };
    }

    it("creates an RSA-3072 CA whose OCSP responder has an RSA-3072 key too, all signed sha256WithRSAEncryption", () => {
      const { ca } = t.app.services;
      const caText = describeCertificate(ca.identity.certificateDer);
      expect(caText).toMatch(/Public-Key: \(3072 bit\)/);
      expect(caText).toContain("Signature Algorithm: sha256WithRSAEncryption");
      const responderText = describeCertificate(ca.responder().certificateDer);
      expect(responderText).toMatch(/Public-Key: \(3072 bit\)/);
      expect(responderText).toContain("Signature Algorithm: sha256WithRSAEncryption");
      expect(responderText).toContain("OCSP Signing");
    });

    it("keeps the CA it has when the setting names another key type, and says so once in the log", async () => {
      const serial = t.app.services.ca.identity.serialHex;
      const changed = await restart("p384");
      expect(changed.ca).toMatchObject({ serialHex: serial, keyAlgorithm: "RSA-3072" });
      expect(changed.warnings).toHaveLength(1);
      expect(changed.warnings[0]).toMatchObject({ level: 40, setting: "TESSERA_CA_KEY_TYPE" });
      expect(changed.warnings[0]!.msg).toContain(
        `The CA key type is set to p384 (TESSERA_CA_KEY_TYPE or ca.keyType), but the CA in use, ${serial}, has an RSA-3072 key`,
      );
      expect(changed.warnings[0]!.msg).toContain("applies only when Tessera creates its CA at first start");
      for (const keyType of ["rsa3072", undefined] as const) {
        const same = await restart(keyType);
        expect(same.ca.serialHex).toBe(serial);
        expect(same.warnings).toEqual([]);
      }
    });

    it("renews its responder once for a burst of OCSP requests when it is due, with a key of the CA's type", async () => {
      const { ca } = t.app.services;
      const before = ca.responder().certificateDer;
      const request = file("renewal-request.der", "");
      openssl([
        "ocsp",
        "-issuer",
        file("renewal-ca.pem", ca.chainPem),
        "-serial",
        "0x1234",
        "-no_nonce",
        "-reqout",
        request,
      ]);
      // 30-day responders are renewed in their last 7 days.
      t.clock.advance(24 * 86400_000);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => t.app.ocsp.answer(readFileSync(request))),
      );
      const after = ca.responder().certificateDer;
      expect(after.equals(before)).toBe(false);
      // Every answer of the burst carries the one new responder, the one stored for other Tesseras.
      for (const answer of answers) expect(answer.includes(after)).toBe(true);
      const stored = await t.app.services.store.db
        .selectFrom("certificate_authority")
        .select("responder_certificate")
        .executeTakeFirstOrThrow();
      expect(Buffer.from(stored.responder_certificate).equals(after)).toBe(true);
      expect(describeCertificate(after)).toMatch(/Public-Key: \(3072 bit\)/);
    });
  },
);

describe.runIf(hasTool("openssl", "openssl"))("an RSA-4096 CA at first start", () => {
  let t: TestApp;
  let seconds: number;
  beforeAll(async () => {
    const started = performance.now();
    t = await createTestApp(dialects[0]!, { config: { ca: caConfig("rsa4096") } });
    seconds = (performance.now() - started) / 1000;
  }, 60_000);
  afterAll(() => t.close());

  it("has an RSA-4096 key and responder, and what its production workers sign verifies with OpenSSL", async () => {
    // Two RSA-4096 keys (the CA's, the responder's) take a few seconds, not more.
    expect(seconds).toBeLessThan(30);
    const { ca } = t.app.services;
    expect(ca.identity.keyAlgorithm).toBe("RSA-4096");
    expect(describeCertificate(ca.identity.certificateDer)).toMatch(/Public-Key: \(4096 bit\)/);
    const responderText = describeCertificate(ca.responder().certificateDer);
    expect(responderText).toMatch(/Public-Key: \(4096 bit\)/);
    expect(responderText).toContain("Signature Algorithm: sha256WithRSAEncryption");

    // A production worker signs with the non-extractable key it is given, on its own thread.
    const issuer = createCertificateIssuer({
      ca: ca.identity,
      signer: createThreadSigner(ca.workerKey!),
      publicBaseUrl: t.app.config.publicUrl,
    });
    const now = t.clock();
    const leaf = await issuer.issue({
      serial: newSerial(),
      profile: { name: "badge", kind: "authentication", keyAlgorithm: "RSA-2048" },
      subject: { commonName: "Bo Ek", serialNumber: "B-1" },
      publicKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({
        type: "spki",
        format: "der",
      }),
      notBefore: now,
      notAfter: new Date(now.getTime() + 86400_000),
    });
    const crl = await t.app.services.crl.current();
    const verified = spawnSync(
      "openssl",
      [
        "verify",
        "-x509_strict",
        "-attime",
        String(Math.floor(now.getTime() / 1000) + 60),
        "-crl_check",
        "-CRLfile",
        file("rsa4096.crl.pem", toPem(crl.der, "X509 CRL")),
        "-CAfile",
        file("rsa4096-ca.pem", ca.chainPem),
        file("rsa4096-leaf.pem", toPem(leaf, "CERTIFICATE")),
      ],
      { encoding: "utf8" },
    );
    expect(`${verified.stdout}${verified.stderr}`).toContain(": OK");
    expect(describeCertificate(leaf)).toContain("Signature Algorithm: sha256WithRSAEncryption");
  });
});

/** A self-signed CA made by OpenSSL, as an office would bring it to `tessera ca import`. */
function makeOfficeCa(name: string, keyArgs: string[]): { certificatePem: string; keyPem: string } {
  const key = file(`${name}.key`, "");
  openssl(["genpkey", ...keyArgs, "-out", key]);
  const certificate = path.join(path.dirname(key), `${name}.pem`);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    key,
    "-subj",
    `/O=Office/CN=${name}`,
    "-days",
    "3650",
    "-out",
    certificate,
    "-addext",
    "basicConstraints=critical,CA:TRUE,pathlen:0",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
  ]);
  return { certificatePem: readFileSync(certificate, "utf8"), keyPem: readFileSync(key, "utf8") };
}

describe.runIf(hasTool("openssl", "openssl")).each(dialects)(
  "tessera ca import of either key type, on %s",
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect);
      t.clock.advance(Date.now() - t.clock().getTime());
    });
    afterAll(() => t.close());
    const settings = () => caSettingsOf(t);

    it.each([
      ["an RSA-3072", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"], /Public-Key: \(3072 bit\)/],
      ["a P-384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], /NIST CURVE: P-384/],
    ] as const)(
      "gives %s CA an OCSP responder of its own key type, certified by it",
      async (what, keyArgs, key) => {
        const office = makeOfficeCa(`Office ${what.split(" ")[1]} CA`, [...keyArgs]);
        // OpenSSL dates the CA from the real time: the app's clock follows.
        t.clock.advance(Date.now() + 1000 - t.clock().getTime());
        await importCertificateAuthority(t.app.services.store, office, settings(), t.clock);
        const ca = await loadCertificateAuthority(t.app.services.store, settings(), t.clock);
        const responder = ca.responder().certificateDer;
        expect(describeCertificate(responder)).toMatch(key);
        const caFile = file("imported-ca.pem", office.certificatePem);
        const responderFile = file("imported-responder.pem", toPem(responder, "CERTIFICATE"));
        // At the app's time, which runs a second ahead of the real one: the responder starts then.
        const atTime = String(Math.ceil(t.clock().getTime() / 1000) + 1);
        const verified = spawnSync(
          "openssl",
          ["verify", "-attime", atTime, "-purpose", "ocsphelper", "-CAfile", caFile, responderFile],
          { encoding: "utf8" },
        );
        expect(`${verified.stdout}${verified.stderr}`).toContain(": OK");
        await ca.close();
      },
    );
  },
);
