import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { createTestIssuer, verifyWithGnutls } from "../test-support/pki.js";
import { hasOpensslAndGnutls } from "../test-support/tools.js";
import type { CertificateIssuer } from "./certificate-issuer.js";
import { buildCrl, type CrlEntry, crlReasonCodes } from "./crl.js";
import { toPem } from "./pem.js";
import { createKeySigner } from "./signer.js";
import { createTestCa, createWorkFolder, generateTestKey, run, type TestCa } from "./test-kit.js";
import { newSerial } from "./x509-certificate.js";

const hour = 3_600_000;

describe("CRL: input checks", () => {
  let testCa: TestCa;
  const thisUpdate = new Date("2027-01-01T00:00:00Z");
  const nextUpdate = new Date("2027-01-02T00:00:00Z");
  beforeAll(async () => {
    testCa = await createTestCa();
  });
  const build = (entries: CrlEntry[], overrides: Partial<Parameters<typeof buildCrl>[0]> = {}) =>
    buildCrl({
      ca: testCa.ca,
      signer: testCa.signer,
      crlNumber: 1n,
      thisUpdate,
      nextUpdate,
      entries,
      ...overrides,
    });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => "no error",
      (e: unknown) => (e instanceof TesseraError ? e.code : String(e)),
    );

  it("refuses bad and duplicate serials, unknown reasons and bad dates", async () => {
    const revokedAt = new Date("2026-12-31T00:00:00Z");
    for (const serial of ["zz", "abc", "", "80ff", "00ff", "01".repeat(21), Buffer.alloc(0)]) {
      expect(await codeOf(build([{ serial, revokedAt, reason: "keyCompromise" }]))).toBe("crl.entry_invalid");
    }
    expect(
      await codeOf(
        build([
          { serial: "0abc", revokedAt, reason: "keyCompromise" },
          { serial: Buffer.from("0abc", "hex"), revokedAt, reason: "superseded" },
        ]),
      ),
    ).toBe("crl.entry_invalid");
    expect(await codeOf(build([{ serial: "01", revokedAt, reason: "removeFromCRL" as never }]))).toBe(
      "crl.entry_invalid",
    );
    expect(
      await codeOf(build([{ serial: "01", revokedAt: new Date(Number.NaN), reason: "superseded" }])),
    ).toBe("crl.entry_invalid");
    expect(await codeOf(build([], { crlNumber: -1n }))).toBe("crl.number_invalid");
    expect(await codeOf(build([], { crlNumber: 1n << 160n }))).toBe("crl.number_invalid");
    expect(await codeOf(build([], { nextUpdate: thisUpdate }))).toBe("crl.dates_invalid");
    const stranger = createKeySigner((await generateTestKey("P-384")).privateKey);
    expect(await codeOf(build([], { signer: stranger }))).toBe("ca.key_mismatch");
  });

  it("maps every reason name to its RFC 5280 §5.3.1 code", () => {
    expect(crlReasonCodes).toMatchObject({
      unspecified: 0,
      keyCompromise: 1,
      affiliationChanged: 3,
      superseded: 4,
      cessationOfOperation: 5,
      certificateHold: 6,
    });
  });
});

describe.runIf(hasOpensslAndGnutls())("CRL: OpenSSL and GnuTLS", () => {
  let testCa: TestCa;
  let issuer: CertificateIssuer;
  const folder = createWorkFolder();
  beforeAll(async () => {
    ({ testCa, issuer } = await createTestIssuer(folder));
  });
  afterAll(() => folder.remove());

  const issue = async (name: string) => {
    const serial = newSerial();
    const der = await issuer.issue({
      serial,
      profile: { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
      subject: { commonName: name, serialNumber: name.toUpperCase() },
      publicKey: (await generateTestKey("P-256")).spki,
      notBefore: new Date(Date.now() - hour),
      notAfter: new Date(Date.now() + 24 * hour),
    });
    return { serial, pem: folder.writePem(`${name}.pem`, der, "CERTIFICATE") };
  };

  const crl = async (file: string, crlNumber: bigint, entries: CrlEntry[]) => {
    const der = await buildCrl({
      ca: testCa.ca,
      signer: testCa.signer,
      crlNumber,
      thisUpdate: new Date(Date.now() - hour),
      nextUpdate: new Date(Date.now() + 24 * hour),
      entries,
    });
    folder.write(`${file}.der`, der);
    return folder.write(`${file}.pem`, toPem(der, "X509 CRL"));
  };

  const verify = (crlPem: string, certPem: string) =>
    run(
      "openssl",
      ["verify", "-x509_strict", "-crl_check", "-CAfile", "ca.pem", "-CRLfile", crlPem, certPem],
      folder.dir,
    );

  it("marks held and revoked certificates, and a released hold verifies again", async () => {
    const valid = await issue("valid");
    const held = await issue("held");
    const lost = await issue("lost");
    const revokedAt = new Date(Date.now() - 10 * 60_000);
    const crlPem = await crl("crl", 42n, [
      { serial: held.serial, revokedAt, reason: "certificateHold" },
      { serial: lost.serial.toString("hex"), revokedAt, reason: "keyCompromise" },
    ]);

    expect(verify(crlPem, valid.pem).output).toContain(`${valid.pem}: OK`);
    for (const revoked of [held, lost]) {
      const result = verify(crlPem, revoked.pem);
      expect(result.status).not.toBe(0);
      expect(result.output).toContain("error 23 at 0 depth lookup: certificate revoked");
    }

    const text = run("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      folder.file("crl.der"),
      "-noout",
      "-text",
    ]).stdout;
    expect(text).toMatch(/X509v3 CRL Number: \n\s+42\n/);
    expect(text).toContain("Version 2 (0x1)");
    expect(text).toContain(`Serial Number: ${held.serial.toString("hex").toUpperCase()}`);
    expect(text).toMatch(/X509v3 CRL Reason Code: \n\s+Certificate Hold/);
    expect(text).toMatch(/X509v3 CRL Reason Code: \n\s+Key Compromise/);
    const keyId = [...testCa.ca.subjectKeyIdentifier].map((b) =>
      b.toString(16).padStart(2, "0").toUpperCase(),
    );
    expect(text).toMatch(new RegExp(`Authority Key Identifier: \\n\\s+${keyId.join(":")}\\n`));
    const signature = run("openssl", ["crl", "-in", crlPem, "-CAfile", folder.file("ca.pem"), "-noout"]);
    expect(signature.output).toContain("verify OK");

    const gnutls = verifyWithGnutls("crl", folder.file("ca.pem"), crlPem);
    expect(gnutls.output).toContain("Verified.");
    expect(gnutls.status).toBe(0);

    // Releasing the hold: the next CRL leaves the entry out.
    const releasedPem = await crl("released", 43n, [
      { serial: lost.serial.toString("hex"), revokedAt, reason: "keyCompromise" },
    ]);
    expect(verify(releasedPem, held.pem).output).toContain(`${held.pem}: OK`);
    expect(verify(releasedPem, lost.pem).output).toContain("certificate revoked");
  });

  it("omits the reason code for unspecified and the list when empty", async () => {
    const revokedAt = new Date("2049-12-31T23:59:59Z");
    const later = new Date("2050-01-01T00:00:00Z");
    await crl("mixed", 7n, [
      { serial: "01", revokedAt, reason: "unspecified" },
      { serial: "02", revokedAt: later, reason: "cessationOfOperation" },
      { serial: "03", revokedAt, reason: "affiliationChanged" },
      { serial: "04", revokedAt, reason: "superseded" },
    ]);
    const text = run("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      folder.file("mixed.der"),
      "-noout",
      "-text",
    ]).stdout;
    const entries = text.split("Serial Number: ").slice(1);
    expect(entries).toHaveLength(4);
    expect(entries[0]).not.toContain("Reason Code");
    expect(entries[0]).toContain("Revocation Date: Dec 31 23:59:59 2049 GMT");
    expect(entries[1]).toContain("Cessation Of Operation");
    expect(entries[1]).toContain("Revocation Date: Jan  1 00:00:00 2050 GMT");
    expect(entries[2]).toContain("Affiliation Changed");
    expect(entries[3]).toContain("Superseded");

    const emptyPem = await crl("empty", 0n, []);
    const empty = run("openssl", ["crl", "-in", emptyPem, "-noout", "-text"]).stdout;
    expect(empty).toContain("No Revoked Certificates.");
    expect(empty).toMatch(/X509v3 CRL Number: \n\s+0\n/);
    expect(run("certtool", ["--crl-info", "--infile", emptyPem]).status).toBe(0);
  });

  it("builds a 100,000-entry CRL in well under two seconds, and OpenSSL reads it all", async () => {
    const revokedAt = new Date(Date.now() - hour);
    const reasons = ["certificateHold", "keyCompromise", "unspecified", "superseded"] as const;
    const entries: CrlEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
      serial: newSerial(),
      revokedAt,
      reason: reasons[i % reasons.length]!,
    }));
    const started = performance.now();
    const der = await buildCrl({
      ca: testCa.ca,
      signer: testCa.signer,
      crlNumber: 100_000n,
      thisUpdate: new Date(Date.now() - hour),
      nextUpdate: new Date(Date.now() + hour),
      entries,
    });
    const elapsed = performance.now() - started;
    console.log(`100,000-entry CRL: ${elapsed.toFixed(0)} ms, ${(der.length / 1e6).toFixed(1)} MB`);
    expect(elapsed).toBeLessThan(2000);
    const file = folder.write("big.der", der);
    const text = run("openssl", ["crl", "-inform", "DER", "-in", file, "-noout", "-text"]);
    expect(text.status).toBe(0);
    expect(text.stdout.match(/Serial Number: /g)).toHaveLength(100_000);
    expect(text.stdout.match(/Certificate Hold/g)).toHaveLength(25_000);
    const verified = run("openssl", [
      "crl",
      "-inform",
      "DER",
      "-in",
      file,
      "-CAfile",
      folder.file("ca.pem"),
      "-noout",
    ]);
    expect(verified.output).toContain("verify OK");
  });
});
