import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateProfile, KeyAlgorithm, ProfileKind } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { createTestIssuer, verifyWithGnutls } from "../test-support/pki.js";
import { hasOpensslAndGnutls } from "../test-support/tools.js";
import { type CertificateIssuer, createCertificateIssuer } from "./certificate-issuer.js";
import type { CertificateSubject } from "./certificate-profiles.js";
import { createKeySigner } from "./signer.js";
import { createTestCa, createWorkFolder, generateTestKey, run, type TestCa } from "./test-kit.js";
import { newSerial, readCertificate } from "./x509-certificate.js";

const day = 86_400_000;
const publicBaseUrl = "https://id.example.org/tessera/";

const subject: CertificateSubject = {
  commonName: "Zoë Example",
  organization: "Acme Corp",
  organizationalUnit: "Human Resources",
  serialNumber: "EMP-0001",
  email: "zoe.example@acme.example",
  upn: "zoe@corp.acme.example",
};

const profile = (kind: ProfileKind, keyAlgorithm: KeyAlgorithm): CertificateProfile => ({
  name: kind,
  kind,
  keyAlgorithm,
});

async function expectTesseraError(
  promise: Promise<unknown>,
  code: string,
  details?: Record<string, unknown>,
) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  expect((error as TesseraError).code).toBe(code);
  if (details) expect((error as TesseraError).details).toMatchObject(details);
}

describe("certificate issuer: input checks", () => {
  let testCa: TestCa;
  let issuer: CertificateIssuer;
  let p256: Buffer;
  let p384: Buffer;
  let rsa2048: Buffer;
  const now = new Date();
  const base = () => ({
    serial: newSerial(),
    profile: profile("authentication", "P-256"),
    subject,
    publicKey: p256,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * day),
  });

  beforeAll(async () => {
    testCa = await createTestCa({ validityYears: 2 });
    issuer = createCertificateIssuer({ ca: testCa.ca, signer: testCa.signer, publicBaseUrl });
    p256 = (await generateTestKey("P-256")).spki;
    p384 = (await generateTestKey("P-384")).spki;
    rsa2048 = (await generateTestKey("RSA-2048")).spki;
  });

  it("refuses a key of the wrong curve, size or algorithm", async () => {
    await expectTesseraError(
      issuer.issue({ ...base(), publicKey: p384 }),
      "certificate.public_key_mismatch",
      {
        expected: "P-256",
        actual: "P-384",
      },
    );
    await expectTesseraError(
      issuer.issue({ ...base(), profile: profile("signature", "RSA-3072"), publicKey: rsa2048 }),
      "certificate.public_key_mismatch",
      { expected: "RSA-3072", actual: "RSA-2048" },
    );
    await expectTesseraError(
      issuer.issue({ ...base(), profile: profile("encryption", "RSA-2048"), publicKey: p256 }),
      "certificate.public_key_mismatch",
    );
    await expectTesseraError(
      issuer.issue({ ...base(), publicKey: Buffer.from("not a key") }),
      "certificate.public_key_invalid",
    );
    // A point off the curve: flip a byte of the X coordinate.
    const offCurve = Buffer.from(p256);
    offCurve[offCurve.length - 40]! ^= 0x01;
    await expectTesseraError(
      issuer.issue({ ...base(), publicKey: offCurve }),
      "certificate.public_key_invalid",
    );
  });

  it("refuses subject fields longer than X.520 allows, naming the field", async () => {
    const cases: [keyof CertificateSubject, number, number][] = [
      ["commonName", 65, 64],
      ["organization", 65, 64],
      ["organizationalUnit", 65, 64],
      ["serialNumber", 65, 64],
    ];
    for (const [field, length, max] of cases) {
      await expectTesseraError(
        issuer.issue({ ...base(), subject: { ...subject, [field]: "A".repeat(length) } }),
        "certificate.subject_too_long",
        { field, max },
      );
    }
    const longEmail = `${"a".repeat(244)}@example.org`; // 256 characters
    await expectTesseraError(
      issuer.issue({ ...base(), subject: { ...subject, email: longEmail } }),
      "certificate.subject_too_long",
      { field: "email", max: 255 },
    );
  });

  it("counts characters, not bytes: 64 non-ASCII characters fit in a common name", async () => {
    const der = await issuer.issue({ ...base(), subject: { ...subject, commonName: "é".repeat(64) } });
    expect(Buffer.from(der).includes(Buffer.from("é".repeat(64), "utf8"))).toBe(true);
    await expectTesseraError(
      issuer.issue({ ...base(), subject: { ...subject, commonName: "é".repeat(65) } }),
      "certificate.subject_too_long",
    );
  });

  it("refuses empty or unwritable subject fields and bad e-mail addresses", async () => {
    await expectTesseraError(
      issuer.issue({ ...base(), subject: { ...subject, commonName: "  " } }),
      "certificate.subject_invalid",
      { field: "commonName" },
    );
    await expectTesseraError(
      issuer.issue({ ...base(), subject: { ...subject, commonName: "Eve\u0000Admin" } }),
      "certificate.subject_invalid",
    );
    // serialNumber is a PrintableString (X.520): no underscore, no @.
    await expectTesseraError(
      issuer.issue({ ...base(), subject: { ...subject, serialNumber: "emp_0001" } }),
      "certificate.subject_invalid",
      { field: "serialNumber" },
    );
    for (const email of [
      "no-at-sign",
      "two@@example.org",
      "zoë@example.org",
      "a b@example.org",
      "a@-bad-.org",
    ]) {
      await expectTesseraError(
        issuer.issue({ ...base(), subject: { ...subject, email } }),
        "certificate.email_invalid",
      );
    }
  });

  it("refuses bad serials and validity, and limits notAfter to the CA's", async () => {
    for (const serial of [
      Buffer.alloc(0),
      Buffer.from([0x80, 1]),
      Buffer.from([0, 1]),
      Buffer.alloc(21, 1),
    ]) {
      await expectTesseraError(issuer.issue({ ...base(), serial }), "certificate.serial_invalid");
    }
    await expectTesseraError(
      issuer.issue({ ...base(), notAfter: new Date(now.getTime() - day) }),
      "certificate.validity_invalid",
    );
    await expectTesseraError(
      issuer.issue({ ...base(), notBefore: new Date(testCa.ca.notAfter.getTime() + day) }),
      "ca.expired",
    );
    const der = await issuer.issue({ ...base(), notAfter: new Date(now.getTime() + 20 * 365 * day) });
    expect(readCertificate(der).notAfter).toEqual(testCa.ca.notAfter);
  });

  it("floors validity to whole seconds and writes the serial as given", async () => {
    const serial = Buffer.from("01020304", "hex");
    const der = await issuer.issue({
      ...base(),
      serial,
      notBefore: new Date("2027-03-01T10:00:00.999Z"),
      notAfter: new Date("2027-06-01T10:00:00.500Z"),
    });
    const read = readCertificate(der);
    expect(read.serial.toString("hex")).toBe("01020304");
    expect(read.notBefore.toISOString()).toBe("2027-03-01T10:00:00.000Z");
    expect(read.notAfter.toISOString()).toBe("2027-06-01T10:00:00.000Z");
  });

  it("refuses a signer whose key is not the CA's, and a bad public URL", async () => {
    const other = createKeySigner((await generateTestKey("P-384")).privateKey);
    expect(() => createCertificateIssuer({ ca: testCa.ca, signer: other, publicBaseUrl })).toThrow(
      expect.objectContaining({ code: "ca.key_mismatch" }),
    );
    for (const url of ["ftp://x.example", "not a url", "https://x.example/?q=1", "https://u:p@x.example"]) {
      expect(() =>
        createCertificateIssuer({ ca: testCa.ca, signer: testCa.signer, publicBaseUrl: url }),
      ).toThrow(expect.objectContaining({ code: "ca.public_url_invalid" }));
    }
  });
});

describe.runIf(hasOpensslAndGnutls())("certificate issuer: OpenSSL and GnuTLS accept what it issues", () => {
  let issuer: CertificateIssuer;
  const folder = createWorkFolder();
  const keys = new Map<KeyAlgorithm, Buffer>();

  beforeAll(async () => {
    ({ issuer } = await createTestIssuer(folder, publicBaseUrl));
    for (const algorithm of ["P-256", "P-384", "RSA-2048", "RSA-3072"] as const) {
      keys.set(algorithm, (await generateTestKey(algorithm)).spki);
    }
  });
  afterAll(() => folder.remove());

  const cases: [ProfileKind, KeyAlgorithm, string[]][] = [
    [
      "authentication",
      "P-256",
      ["Digital Signature", "TLS Web Client Authentication, Microsoft Smartcard Login"],
    ],
    ["signature", "P-256", ["Non Repudiation"]],
    ["encryption", "P-256", ["Key Agreement", "E-mail Protection"]],
    ["authentication", "P-384", ["Digital Signature", "Microsoft Smartcard Login"]],
    ["encryption", "P-384", ["Key Agreement", "E-mail Protection"]],
    ["authentication", "RSA-2048", ["Digital Signature", "Microsoft Smartcard Login"]],
    ["signature", "RSA-2048", ["Non Repudiation"]],
    ["encryption", "RSA-2048", ["Key Encipherment", "E-mail Protection"]],
    ["signature", "RSA-3072", ["Non Repudiation"]],
  ];

  it.each(cases)("%s certificate with a %s key", async (kind, keyAlgorithm, usages) => {
    const now = Date.now();
    const der = await issuer.issue({
      serial: newSerial(),
      profile: profile(kind, keyAlgorithm),
      subject,
      publicKey: keys.get(keyAlgorithm)!,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * day),
    });
    const name = `${kind}-${keyAlgorithm}`;
    const pem = folder.writePem(`${name}.pem`, der, "CERTIFICATE");

    const verified = run("openssl", ["verify", "-x509_strict", "-CAfile", "ca.pem", pem], folder.dir);
    expect(verified.output).toContain(`${pem}: OK`);
    expect(verified.status).toBe(0);
    if (kind === "authentication") {
      const purpose = run(
        "openssl",
        ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", "ca.pem", pem],
        folder.dir,
      );
      expect(purpose.status, purpose.output).toBe(0);
    }

    const text = run("openssl", [
      "x509",
      "-in",
      pem,
      "-noout",
      "-text",
      "-nameopt",
      "RFC2253,-esc_msb",
    ]).stdout;
    expect(text).toContain("Subject: serialNumber=EMP-0001,CN=Zoë Example,OU=Human Resources,O=Acme Corp");
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+(.*)\n/);
    const keyUsageLine = /X509v3 Key Usage: critical\n\s+(.*)\n/.exec(text)![1];
    expect(keyUsageLine).toBe(usages[0]);
    for (const usage of usages.slice(1)) expect(text).toContain(usage);
    if (kind !== "authentication") expect(text).not.toContain("Smartcard");
    if (kind === "signature") expect(text).not.toContain("Extended Key Usage");
    expect(text).toContain("email:zoe.example@acme.example, othername: UPN::zoe@corp.acme.example");
    expect(text).toContain("URI:https://id.example.org/tessera/pki/crl");
    expect(text).toContain("OCSP - URI:https://id.example.org/tessera/pki/ocsp");
    expect(text).toContain("CA Issuers - URI:https://id.example.org/tessera/pki/ca.cer");
    expect(text).toContain(`Signature Algorithm: ecdsa-with-SHA384`);

    const chain = folder.write(
      `${name}-chain.pem`,
      readFileSync(pem, "utf8") + readFileSync(folder.file("ca.pem"), "utf8"),
    );
    const gnutlsChain = run("certtool", ["--verify-chain", "--verify-profile=medium", "--infile", chain]);
    expect(gnutlsChain.output).toContain("Chain verification output: Verified.");
    expect(gnutlsChain.status).toBe(0);
    const gnutls = verifyWithGnutls("certificate", folder.file("ca.pem"), pem);
    expect(gnutls.output).toContain("Verified.");
    expect(gnutls.status).toBe(0);
    const info = run("certtool", ["-i", "--infile", pem]).stdout;
    expect(info).toContain("User Principal Name: zoe@corp.acme.example");
    expect(info).toContain("RFC822Name: zoe.example@acme.example");
  });

  it("leaves the subjectAltName out when the user has neither e-mail nor UPN", async () => {
    const der = await issuer.issue({
      serial: newSerial(),
      profile: profile("authentication", "P-256"),
      subject: { commonName: "No Mail", serialNumber: "EMP-0002" },
      publicKey: keys.get("P-256")!,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + day),
    });
    const pem = folder.writePem("nomail.pem", der, "CERTIFICATE");
    expect(run("openssl", ["verify", "-x509_strict", "-CAfile", "ca.pem", pem], folder.dir).status).toBe(0);
    const text = run("openssl", ["x509", "-in", pem, "-noout", "-text"]).stdout;
    expect(text).not.toContain("Subject Alternative Name");
    expect(text).toContain("Subject: CN = No Mail, serialNumber = EMP-0002");
  });

  it("issues from an RSA-2048 CA too (sha256WithRSAEncryption)", async () => {
    const rsaCa = await createTestCa({
      keyAlgorithm: "RSA-2048",
      subjectName: "CN=Tessera RSA CA,O=Tessera,C=NL",
    });
    const rsaIssuer = createCertificateIssuer({ ca: rsaCa.ca, signer: rsaCa.signer, publicBaseUrl });
    const der = await rsaIssuer.issue({
      serial: newSerial(),
      profile: profile("authentication", "P-256"),
      subject,
      publicKey: keys.get("P-256")!,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + day),
    });
    const caPem = folder.writePem("rsa-ca.pem", rsaCa.certificateDer, "CERTIFICATE");
    const pem = folder.writePem("rsa-issued.pem", der, "CERTIFICATE");
    const verified = run("openssl", ["verify", "-x509_strict", "-CAfile", caPem, pem]);
    expect(verified.status, verified.output).toBe(0);
    expect(run("openssl", ["x509", "-in", pem, "-noout", "-text"]).stdout).toContain(
      "sha256WithRSAEncryption",
    );
    expect(run("openssl", ["x509", "-in", caPem, "-noout", "-subject"]).stdout).toContain(
      "subject=C = NL, O = Tessera, CN = Tessera RSA CA",
    );
  });
});
