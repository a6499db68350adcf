import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { dialects } from "../test-support/databases.js";
import { caSettingsOf, issueCertificates } from "../test-support/pki.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";
import { loadCertificateAuthority } from "./certificate-authority.js";
import { importCertificateAuthority } from "./import-certificate-authority.js";

const dir = mkdtempSync(path.join(tmpdir(), "tessera-ca-import-"));
const at = (name: string) => path.join(dir, name);

/** A root and a subordinate made by OpenSSL, as an ID office's own PKI would hand them over. */
function makeOfficePki(): void {
  const run = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  run("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", at("root.key"));
  run(
    "req",
    "-x509",
    "-new",
    "-key",
    at("root.key"),
    "-subj",
    "/CN=Office Root CA",
    "-days",
    "3650",
    "-out",
    at("root.pem"),
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  run("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", at("sub.ec.key"));
  run("pkcs8", "-topk8", "-nocrypt", "-in", at("sub.ec.key"), "-out", at("sub.key"));
  run("req", "-new", "-key", at("sub.key"), "-subj", "/O=Office/CN=Office Card CA", "-out", at("sub.csr"));
  writeFileSync(
    at("sub.ext"),
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
  );
  run(
    "x509",
    "-req",
    "-in",
    at("sub.csr"),
    "-CA",
    at("root.pem"),
    "-CAkey",
    at("root.key"),
    "-CAcreateserial",
    "-days",
    "1825",
    "-extfile",
    at("sub.ext"),
    "-out",
    at("sub.pem"),
  );
}

describe.runIf(hasTool("openssl", "openssl")).each(dialects)("tessera ca import on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    makeOfficePki();
    t = await createTestApp(dialect);
    t.clock.advance(Date.now() - t.clock().getTime());
  });
  afterAll(() => t.close());
  const settings = () => caSettingsOf(t);

  it("refuses a key that is not the certificate's, and a certificate that is no CA", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    await expect(
      importCertificateAuthority(
        t.app.services.store,
        { certificatePem: readFileSync(at("sub.pem"), "utf8"), keyPem: String(other) },
        settings(),
        t.clock,
      ),
    ).rejects.toMatchObject({ code: "ca.key_mismatch", status: 400 });
    await expect(
      importCertificateAuthority(
        t.app.services.store,
        { certificatePem: "nothing", keyPem: readFileSync(at("sub.key"), "utf8") },
        settings(),
        t.clock,
      ),
    ).rejects.toMatchObject({ code: "ca.certificate_invalid" });
  });

  it("installs a subordinate with its chain; what it issues verifies up to the office's root", async () => {
    const certificatePem = readFileSync(at("sub.pem"), "utf8") + readFileSync(at("root.pem"), "utf8");
    const result = await importCertificateAuthority(
      t.app.services.store,
      { certificatePem, keyPem: readFileSync(at("sub.key"), "utf8") },
      settings(),
      t.clock,
    );
    expect(result.chainLength).toBe(1);
    const ca = await loadCertificateAuthority(t.app.services.store, settings(), t.clock);
    expect(ca.chainPem).toContain(readFileSync(at("root.pem"), "utf8").trim().split("\n")[1]);
    const now = t.clock();
    const [certificate] = await t.app.services.store.db.transaction().execute((trx) =>
      issueCertificates(
        trx,
        ca,
        [
          {
            cardId: null,
            profile: { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
            subject: { commonName: "Bo Ek", serialNumber: "B-1" },
            publicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
              type: "spki",
              format: "der",
            }),
            notBefore: now,
            notAfter: new Date(now.getTime() + 86400_000),
            initialState: "valid",
          },
        ],
        now.toISOString(),
      ),
    );
    writeFileSync(at("leaf.pem"), toPem(certificate!.der, "CERTIFICATE"));
    const verify = spawnSync(
      "openssl",
      ["verify", "-x509_strict", "-CAfile", at("root.pem"), "-untrusted", at("sub.pem"), at("leaf.pem")],
      {
        encoding: "utf8",
      },
    );
    expect(verify.stdout).toContain(": OK");
  });

  it("refuses to replace a CA that has issued certificates", async () => {
    await expect(
      importCertificateAuthority(
        t.app.services.store,
        { certificatePem: readFileSync(at("sub.pem"), "utf8"), keyPem: readFileSync(at("sub.key"), "utf8") },
        settings(),
        t.clock,
      ),
    ).rejects.toMatchObject({ code: "ca.import_not_allowed", status: 409 });
  });
});
