import { createHash, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { errorCodeOf } from "../test-support/errors.js";
import { makeCaWithOpenssl } from "../test-support/openssl.js";
import { hasOpensslAndGnutls } from "../test-support/tools.js";
import { checkCaCertificate, createCaCertificate, parseCaCertificate } from "./ca-certificate.js";
import { createCertificateIssuer } from "./certificate-issuer.js";
import { parseDistinguishedName } from "./distinguished-name.js";
import { toPem } from "./pem.js";
import { createKeySigner, generateCaKey } from "./signer.js";
import { subjectPublicKeyBits } from "./subject-public-key.js";
import { createTestCa, createWorkFolder, generateTestKey, run, type TestCa } from "./test-kit.js";
import { newSerial, readCertificate } from "./x509-certificate.js";

describe("distinguished names", () => {
  it("reads RFC 4514 strings into X.509 order, with escapes", () => {
    expect(parseDistinguishedName("CN=Tessera Demo CA,O=Tessera")).toEqual([
      { type: "O", value: "Tessera" },
      { type: "CN", value: "Tessera Demo CA" },
    ]);
    expect(
      parseDistinguishedName("CN=Smith\\, John, OU=R\\2BD, O=Zoë \\\\ Co, C=NL, serialNumber=X1"),
    ).toEqual([
      { type: "serialNumber", value: "X1" },
      { type: "C", value: "NL" },
      { type: "O", value: "Zoë \\ Co" },
      { type: "OU", value: "R+D" },
      { type: "CN", value: "Smith, John" },
    ]);
  });

  it("refuses what it cannot write", () => {
    const codeOf = (text: string) => errorCodeOf(() => parseDistinguishedName(text));
    expect(codeOf("Tessera Demo CA")).toBe("ca.subject_invalid");
    expect(codeOf("CN=a+O=b")).toBe("ca.subject_invalid");
    expect(codeOf("XX=a")).toBe("ca.subject_invalid");
    expect(codeOf("CN=")).toBe("ca.subject_invalid");
    expect(codeOf("CN=a,")).toBe("ca.subject_invalid");
    expect(codeOf("CN=bad\\q")).toBe("ca.subject_invalid");
    expect(codeOf(`CN=${"x".repeat(65)}`)).toBe("certificate.subject_too_long");
    expect(codeOf("C=Netherlands")).toBe("certificate.subject_too_long");
    expect(codeOf("C=NL,CN=a")).toBe("no error");
    expect(codeOf("C=N1,CN=a")).toBe("certificate.subject_invalid");
    expect(codeOf("C=N_")).toBe("certificate.subject_invalid");
  });
});

describe("CA certificate", () => {
  let testCa: TestCa;
  beforeAll(async () => {
    testCa = await createTestCa({ subjectName: "CN=Tessera Demo CA,O=Tessera", validityYears: 10 });
  });

  it("holds what issuance and OCSP need", () => {
    const { ca } = testCa;
    const read = readCertificate(testCa.certificateDer);
    expect(ca.subjectDer).toEqual(read.subject);
    expect(ca.subjectDer).toEqual(read.issuer);
    expect(ca.keyAlgorithm).toBe("P-384");
    expect(ca.publicKey).toEqual(testCa.signer.publicKey);
    const keyBits = subjectPublicKeyBits(ca.publicKey);
    expect(ca.subjectKeyIdentifier).toEqual(createHash("sha1").update(keyBits).digest());
    expect(ca.issuerKeyHash.sha256).toEqual(createHash("sha256").update(keyBits).digest());
    expect(ca.issuerNameHash.sha1).toEqual(createHash("sha1").update(read.subject).digest());
    expect(ca.notAfter.getTime() - ca.notBefore.getTime()).toBeGreaterThan(3650 * 86_400_000);
    expect(ca.notBefore.getUTCMilliseconds()).toBe(0);
    expect(parseCaCertificate(toPem(testCa.certificateDer, "CERTIFICATE"))).toEqual(ca);
  });

  it("refuses a bad name, a bad serial and a bad validity", async () => {
    const make = (overrides: Partial<Parameters<typeof createCaCertificate>[0]>) =>
      createCaCertificate({
        subjectName: "CN=x",
        signer: testCa.signer,
        notBefore: new Date(),
        ...overrides,
      });
    await expect(make({ subjectName: "no equals sign" })).rejects.toMatchObject({
      code: "ca.subject_invalid",
    });
    await expect(make({ serial: Buffer.from([0xff]) })).rejects.toMatchObject({
      code: "certificate.serial_invalid",
    });
    await expect(make({ validityYears: 0 })).rejects.toMatchObject({ code: "certificate.validity_invalid" });
    await expect(make({ subjectName: [{ type: "CN", value: "Array Form CA" }] })).resolves.toBeInstanceOf(
      Buffer,
    );
  });

  it("checks an import: key match, CA flags, dates, self-signature", async () => {
    const now = new Date();
    expect(
      checkCaCertificate({ certificate: testCa.certificateDer, privateKey: testCa.privateKey, now }),
    ).toMatchObject({
      valid: true,
      ca: { serialHex: testCa.ca.serialHex },
    });
    const otherKey = generateCaKey();
    expect(
      checkCaCertificate({ certificate: testCa.certificateDer, privateKey: otherKey, now }),
    ).toMatchObject({
      valid: false,
      code: "ca.key_mismatch",
    });
    const future = new Date(testCa.ca.notAfter.getTime() + 1000);
    expect(
      checkCaCertificate({ certificate: testCa.certificateDer, privateKey: testCa.privateKey, now: future }),
    ).toMatchObject({
      valid: false,
      code: "ca.expired",
    });
    expect(
      checkCaCertificate({ certificate: Buffer.from("garbage"), privateKey: testCa.privateKey, now }),
    ).toMatchObject({
      valid: false,
      code: "ca.certificate_invalid",
    });
    expect(
      checkCaCertificate({ certificate: "no pem here", privateKey: testCa.privateKey, now }),
    ).toMatchObject({
      valid: false,
      code: "ca.certificate_invalid",
    });

    // An end-entity certificate is not a CA.
    const issuer = createCertificateIssuer({
      ca: testCa.ca,
      signer: testCa.signer,
      publicBaseUrl: "https://x.example",
    });
    const holder = await generateTestKey("P-256");
    const endEntity = await issuer.issue({
      serial: newSerial(),
      profile: { name: "a", kind: "authentication", keyAlgorithm: "P-256" },
      subject: { commonName: "Holder", serialNumber: "H1" },
      publicKey: holder.spki,
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
    });
    expect(checkCaCertificate({ certificate: endEntity, privateKey: holder.privateKey, now })).toMatchObject({
      valid: false,
      code: "ca.not_a_ca",
    });
    expect(() => parseCaCertificate(endEntity)).toThrow(TesseraError);

    // A tampered signature on a self-signed CA.
    const tampered = Buffer.from(testCa.certificateDer);
    tampered[tampered.length - 5]! ^= 0x01;
    expect(checkCaCertificate({ certificate: tampered, privateKey: testCa.privateKey, now })).toMatchObject({
      valid: false,
      code: "ca.certificate_invalid",
    });

    // A key Tessera does not sign with.
    const ed = await import("node:crypto").then((c) => c.generateKeyPairSync("ed25519").privateKey);
    expect(() => createKeySigner(ed)).toThrow(expect.objectContaining({ code: "ca.key_unsupported" }));
  });
});

describe.runIf(hasOpensslAndGnutls())("CA certificate: OpenSSL and GnuTLS", () => {
  const folder = createWorkFolder();
  afterAll(() => folder.remove());

  it("is a strict, self-signed CA for both", async () => {
    const testCa = await createTestCa({ subjectName: "CN=Tessera Demo CA,O=Tessera" });
    const pem = folder.writePem("ca.pem", testCa.certificateDer, "CERTIFICATE");
    const text = run("openssl", ["x509", "-in", pem, "-noout", "-text"]).stdout;
    expect(text).toContain("Subject: O = Tessera, CN = Tessera Demo CA");
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Certificate Sign, CRL Sign\n/);
    expect(text).toContain("X509v3 Subject Key Identifier");
    expect(text).toContain("ecdsa-with-SHA384");
    const verified = run("openssl", ["verify", "-x509_strict", "-check_ss_sig", "-CAfile", pem, pem]);
    expect(verified.status, verified.output).toBe(0);
    const gnutls = run("certtool", ["--verify-chain", "--verify-profile=medium", "--infile", pem]);
    expect(gnutls.output).toContain("Chain verification output: Verified.");
  });

  it("imports a CA made by OpenSSL, and refuses one without cRLSign", () => {
    const make = (name: string, keyUsage: string) => {
      const made = makeCaWithOpenssl(folder.dir, name, [
        "-days",
        "30",
        "-subj",
        `/O=Example/CN=${name}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        `keyUsage=critical,${keyUsage}`,
      ]);
      return {
        certificate: readFileSync(made.pem, "utf8"),
        privateKey: createPrivateKey(readFileSync(made.key)),
      };
    };
    const good = make("imported", "keyCertSign,cRLSign");
    const checked = checkCaCertificate({ ...good, now: new Date() });
    expect(checked).toMatchObject({ valid: true, ca: { keyAlgorithm: "P-256" } });
    const noCrl = make("nocrl", "keyCertSign");
    expect(checkCaCertificate({ ...noCrl, now: new Date() })).toMatchObject({
      valid: false,
      code: "ca.not_a_ca",
    });
  });
});
