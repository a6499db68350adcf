import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggedInOperators } from "../test-support/api-setup.js";
import { makeCaWithOpenssl } from "../test-support/openssl.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";
import { rfc2253NameOf } from "./routes/ca-info.js";

/**
 * `GET /api/v1/ca`: what an administrator reads of the CA in use (issue 11: its key type decides
 * which relying parties can check the cards). OpenSSL reads the same from the CA certificate.
 */
describe.runIf(hasTool("openssl", "openssl")).each([
  ["p384", "P-384", "ecdsa-with-SHA384"],
  ["rsa3072", "RSA-3072", "sha256WithRSAEncryption"],
] as const)("the CA in use, created as %s", (keyType, keyAlgorithm, signatureAlgorithm) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("sqlite", {
      config: { ca: { name: "Tessera Test CA", validityYears: 10, keyType } },
    });
  });
  afterAll(() => t.close());

  it("names its key type, signature algorithm and responder key as OpenSSL reads them", async () => {
    const { auditor } = await loggedInOperators(t, { auditor: ["auditor"] });
    const answer = await auditor("GET", "/api/v1/ca");
    expect(answer.status).toBe(200);
    const text = execFileSync("openssl", ["x509", "-noout", "-text", "-nameopt", "RFC2253"], {
      input: t.app.services.ca.chainPem,
      encoding: "utf8",
    });
    expect(answer.body).toMatchObject({
      keyAlgorithm,
      keyType,
      signatureAlgorithm,
      keyInToken: false,
      subordinate: false,
      responder: { keyAlgorithm },
    });
    expect(text).toContain(`Signature Algorithm: ${signatureAlgorithm}`);
    expect(text).toContain(`Subject: ${answer.body.subject}`);
    expect(text).toContain(keyType === "p384" ? "NIST CURVE: P-384" : "Public-Key: (3072 bit)");
  });
});

/** An imported CA may have any name an office's PKI gave it: OpenSSL is the judge of how it reads. */
describe.runIf(hasTool("openssl", "openssl"))("a CA name as OpenSSL writes it (RFC 2253)", () => {
  it.each([
    ["a multi-valued RDN", "/C=SE/O=Office/CN=Card CA+UID=ca1"],
    ["escaped commas, pluses and quotes", '/O=Acme\\, Inc./OU=A \\+ B/CN=Say "CA"'],
    ["both, three values in one RDN", "/DC=example/O=Office+OU=Cards+L=Lund/CN=Root"],
  ])("%s", (_, subject) => {
    const dir = mkdtempSync(path.join(tmpdir(), "tessera-ca-name-"));
    const { pem } = makeCaWithOpenssl(dir, "ca", ["-subj", subject, "-multivalue-rdn", "-days", "1"]);
    const openssl = execFileSync(
      "openssl",
      ["x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253"],
      {
        encoding: "utf8",
      },
    );
    expect(`subject=${rfc2253NameOf(new X509Certificate(readFileSync(pem)).subject)}\n`).toBe(openssl);
  });
});
