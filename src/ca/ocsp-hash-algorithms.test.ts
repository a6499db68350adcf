import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { dialects } from "../test-support/databases.js";
import { askOcsp } from "../test-support/openssl.js";
import { issueCardlessCertificate } from "../test-support/pki.js";
import { createTestApp, listenOnRealTime, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

/**
 * Finding 10 of issue 8: a CertID may be hashed with SHA-1, SHA-256, SHA-384 or SHA-512
 * (RFC 6960 §4.1.1 leaves the choice to the client). OpenSSL is the judge: it builds the
 * request with the hash it is told and says what the responder answered.
 */
const tools = hasTool("openssl", "openssl");

describe.runIf(tools).each(dialects)("OCSP CertID hash algorithms on %s, judged by OpenSSL", (dialect) => {
  let t: TestApp;
  let baseUrl: string;
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-ocsp-hash-"));
  const caFile = path.join(dir, "ca.pem");
  const leafFile = path.join(dir, "leaf.pem");

  const ocsp = (...certIdOptions: string[]) =>
    askOcsp({ caFile, certFile: leafFile, responderUrl: `${baseUrl}/pki/ocsp`, certIdOptions });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    baseUrl = await listenOnRealTime(t);
    writeFileSync(caFile, t.app.services.ca.chainPem);
    const certificate = await issueCardlessCertificate(t, {
      profile: { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
      subject: { commonName: "Åsa Öberg", email: "asa.oberg@example.org", serialNumber: "E-1001" },
      publicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
        type: "spki",
        format: "der",
      }),
      initialState: "valid",
    });
    writeFileSync(leafFile, toPem(certificate.der, "CERTIFICATE"));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["-sha1", "-sha256", "-sha384", "-sha512"])(
    "answers good, signed and verified, for a CertID hashed with %s",
    async (hash) => {
      const answer = await ocsp(hash);
      expect(answer).toContain(`${leafFile}: good`);
      expect(answer).toContain("Response verify OK");
      // The response echoes the CertID with the request's hash algorithm.
      expect(answer).toMatch(new RegExp(`Hash Algorithm: ${hash.slice(1)}`, "i"));
    },
  );

  it("answers unknown, not good, for a hash algorithm it does not know (MD5)", async () => {
    const answer = await ocsp("-md5");
    expect(answer).toContain(`${leafFile}: unknown`);
  });
});
