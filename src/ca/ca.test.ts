import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaKeyType } from "../domain/ca-key-types.js";
import type { CertificateProfile } from "../domain/card-template.js";
import { newSerial, serialToHex, toPem } from "../pki/index.js";
import { dialects } from "../test-support/databases.js";
import { createScratchFolder } from "../test-support/files.js";
import { askOcsp } from "../test-support/openssl.js";
import { issueCardlessCertificate, issueCertificates } from "../test-support/pki.js";
import {
  hasJavaAndHeimdal,
  verifyWithGnutlsAndCrl,
  verifyWithHeimdal,
  verifyWithJava,
} from "../test-support/relying-parties.js";
import { apiAs, createTestApp, listenOnRealTime, type TestApp } from "../test-support/test-app.js";
import { hasTool } from "../test-support/tools.js";

const tools = hasTool("openssl", "openssl") && hasTool("certtool", "gnutls-bin") && hasJavaAndHeimdal();
const { dir, file } = createScratchFolder("tessera-ca-");
const openssl = (...args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });

const subject = {
  commonName: "Åsa Öberg",
  organization: "Tessera Test Office",
  organizationalUnit: "Finance",
  serialNumber: "E-1001",
  email: "asa.oberg@example.org",
  upn: "asa.oberg@corp.example.org",
};
const spki = (key: KeyObject) => key.export({ type: "spki", format: "der" });
const ec = (namedCurve: string) => generateKeyPairSync("ec", { namedCurve }).publicKey;
const rsa2048 = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;

/**
 * The CAs a first start makes, as OpenSSL prints them. Heimdal 7.8 has no ECDSA: it refuses
 * everything a P-384 CA signs and accepts what an RSA CA signs (issue 11, item 3).
 */
const caKinds: readonly {
  keyType: CaKeyType;
  publicKey: RegExp;
  signatureAlgorithm: string;
  heimdalAccepts: boolean;
}[] = [
  {
    keyType: "p384",
    publicKey: /Public-Key: \(384 bit\)[\s\S]*NIST CURVE: P-384/,
    signatureAlgorithm: "ecdsa-with-SHA384",
    heimdalAccepts: false,
  },
  {
    keyType: "rsa3072",
    publicKey: /Public-Key: \(3072 bit\)/,
    signatureAlgorithm: "sha256WithRSAEncryption",
    heimdalAccepts: true,
  },
];

describe
  .runIf(tools)
  .each(dialects.flatMap((dialect) => caKinds.map((caKind) => [caKind.keyType, dialect, caKind] as const)))(
  "the %s certificate authority on %s, judged by OpenSSL, GnuTLS, Java and Heimdal",
  (keyType, dialect, caKind) => {
    let t: TestApp;
    let caPem: string;
    let baseUrl: string;
    const issued: Record<string, string> = {};
    const caFile = () => file(`ca-${keyType}.pem`, caPem);

    const issue = async (
      profile: CertificateProfile,
      publicKey: KeyObject,
      initialState: "valid" | "onHold" = "valid",
    ) => issueCardlessCertificate(t, { profile, subject, publicKey: spki(publicKey), initialState });
    const verify = async (serial: string) => {
      const crl = await t.app.services.crl.current();
      const crlFile = file(`crl-${crl.number}.pem`, toPem(crl.der, "X509 CRL"));
      const result = openssl(
        "verify",
        "-x509_strict",
        "-attime",
        String(Math.floor(t.clock().getTime() / 1000) + 60),
        "-CAfile",
        file("ca.pem", caPem),
        "-crl_check",
        "-CRLfile",
        crlFile,
        issued[serial]!,
      );
      return `${result.stdout}${result.stderr}`;
    };
    const ocsp = (serial: string, responseFile?: string) =>
      askOcsp({
        caFile: file("ca.pem", caPem),
        certFile: issued[serial]!,
        responderUrl: `${baseUrl}/pki/ocsp`,
        responseFile,
      });

    /**
     * Every relying party's verdict on each certificate now: OpenSSL against the CRL and by
     * OCSP, GnuTLS and Java against the CRL, Heimdal against the CRL and against the OCSP
     * answer. A refusal carries the judge's words, so a test can see it is for the status.
     */
    const judge = async (serials: readonly string[]) => {
      const crl = await t.app.services.crl.current();
      const crlFile = file(`judged-crl-${crl.number}.pem`, toPem(crl.der, "X509 CRL"));
      const java = verifyWithJava(
        caFile(),
        crlFile,
        new Date(t.clock().getTime() + 60_000),
        serials.map((serial) => issued[serial]!),
      );
      const verdicts: Record<string, Record<string, string>> = {};
      for (const serial of serials) {
        const certFile = issued[serial]!;
        const ocspFile = path.join(dir, `ocsp-${serial}-${crl.number}.der`);
        const ocspText = await ocsp(serial, ocspFile);
        const gnutls = verifyWithGnutlsAndCrl(caFile(), crlFile, certFile).output;
        const heimdal = (check: { crlFile?: string; ocspFile?: string }) => {
          const result = verifyWithHeimdal({ caFile: caFile(), certFile, ...check });
          return result.status === 0 && /path ok/.test(result.output) ? "accepted" : result.output.trim();
        };
        const openssl = await verify(serial);
        verdicts[serial] = {
          openssl: openssl.includes(": OK") ? "accepted" : openssl,
          opensslOcsp:
            /: good/.test(ocspText) && ocspText.includes("Response verify OK") ? "accepted" : ocspText,
          gnutls: /Chain verification output: Verified\./.test(gnutls) ? "accepted" : gnutls,
          java: java[certFile] === "valid" ? "accepted" : java[certFile]!,
          heimdalCrl: heimdal({ crlFile }),
          heimdalOcsp: heimdal({ ocspFile }),
        };
      }
      return verdicts;
    };
    /** What every judge says of a certificate the CA has released as valid. */
    const accepted = {
      openssl: "accepted",
      opensslOcsp: "accepted",
      gnutls: "accepted",
      java: "accepted",
      heimdalCrl: caKind.heimdalAccepts
        ? "accepted"
        : expect.stringMatching(/Signature algorithm not supported/),
      heimdalOcsp: caKind.heimdalAccepts
        ? "accepted"
        : expect.stringMatching(/Signature algorithm not supported/),
    };
    /** What every judge says of a certificate on hold (`certificateHold`) or revoked (`reason`). */
    const refused = (javaReason: string, opensslReason: string) => ({
      openssl: expect.stringMatching(/certificate revoked/),
      opensslOcsp: expect.stringMatching(
        new RegExp(
          `^(?=[\\s\\S]*: revoked)(?=[\\s\\S]*Reason: ${opensslReason})(?=[\\s\\S]*Response verify OK)`,
        ),
      ),
      gnutls: expect.stringMatching(/revoked/),
      java: expect.stringMatching(new RegExp(`^refused: REVOKED: .*reason: ${javaReason}`)),
      heimdalCrl: caKind.heimdalAccepts
        ? expect.stringMatching(/revoked/i)
        : expect.stringMatching(/Signature algorithm not supported/),
      heimdalOcsp: caKind.heimdalAccepts
        ? expect.stringMatching(/revoked/i)
        : expect.stringMatching(/Signature algorithm not supported/),
    });

    beforeAll(async () => {
      t = await createTestApp(dialect, {
        config: { ca: { name: "Tessera Test CA", validityYears: 10, keyType } },
      });
      baseUrl = await listenOnRealTime(t);
      caPem = t.app.services.ca.chainPem;
      await t.operator("helpdesk", ["helpdesk"]);
      await t.operator("security", ["securityOfficer"]);
    });
    afterAll(() => t.close());

    it("made a CA of the key type set, with basicConstraints CA pathLen 0, keyCertSign and cRLSign, served as PEM and DER", async () => {
      const text = execFileSync("openssl", ["x509", "-noout", "-text"], { input: caPem, encoding: "utf8" });
      expect(text).toMatch(/CA:TRUE, pathlen:0/);
      expect(text).toMatch(/Certificate Sign, CRL Sign/);
      expect(text).toMatch(caKind.publicKey);
      expect(text).toContain(`Signature Algorithm: ${caKind.signatureAlgorithm}`);
      expect(text).toMatch(/Subject: CN ?= ?Tessera Test CA/);
      const pem = await fetch(`${baseUrl}/pki/ca.pem`);
      expect(await pem.text()).toBe(caPem);
      const der = await fetch(`${baseUrl}/pki/ca.cer`);
      expect(der.headers.get("content-type")).toBe("application/pkix-cert");
      expect(Buffer.from(await der.arrayBuffer()).equals(t.app.services.ca.identity.certificateDer)).toBe(
        true,
      );
    });

    it.each([
      [
        "authentication",
        "P-256",
        () => ec("P-256"),
        /TLS Web Client Authentication, Microsoft Smartcard Login/,
      ],
      ["signature", "P-256", () => ec("P-256"), /Non Repudiation/],
      ["encryption", "P-384", () => ec("secp384r1"), /Key Agreement[\s\S]*E-mail Protection/],
      ["encryption", "RSA-2048", () => rsa2048, /Key Encipherment[\s\S]*E-mail Protection/],
      ["authentication", "RSA-2048", () => rsa2048, /Microsoft Smartcard Login/],
    ] as const)(
      "issues a %s certificate for a %s key that OpenSSL and GnuTLS accept",
      async (kind, keyAlgorithm, key, usage) => {
        const certificate = await issue({ name: `${kind}-${keyAlgorithm}`, kind, keyAlgorithm }, key());
        issued[certificate.serial] = file(`${certificate.serial}.pem`, toPem(certificate.der, "CERTIFICATE"));
        expect(await verify(certificate.serial)).toContain(": OK");
        const text = execFileSync(
          "openssl",
          ["x509", "-noout", "-text", "-in", issued[certificate.serial]!],
          {
            encoding: "utf8",
          },
        );
        expect(text).toMatch(usage);
        expect(text).toContain("email:asa.oberg@example.org");
        expect(text).toContain(`URI:${t.app.config.publicUrl}/pki/crl`);
        expect(text).toContain(`OCSP - URI:${t.app.config.publicUrl}/pki/ocsp`);
        expect(text).toMatch(/serialNumber ?= ?E-1001/);
        const chain = spawnSync(
          "certtool",
          [
            "--verify-chain",
            "--infile",
            file(`chain-${certificate.serial}.pem`, toPem(certificate.der, "CERTIFICATE") + caPem),
          ],
          { encoding: "utf8" },
        );
        expect(`${chain.stdout}${chain.stderr}`).toContain("Chain verification output: Verified.");
      },
    );

    it("has every certificate kind accepted by OpenSSL, GnuTLS and Java, and by Heimdal only under an RSA CA", async () => {
      const serials = Object.keys(issued);
      expect(serials).toHaveLength(5);
      expect(await judge(serials)).toEqual(Object.fromEntries(serials.map((serial) => [serial, accepted])));
    });

    it("signs its CRL and OCSP answers with the CA's algorithm, through a responder key of the CA's key type", async () => {
      const crl = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
        input: (await t.app.services.crl.current()).der,
        encoding: "utf8",
      });
      expect(crl).toContain(`Signature Algorithm: ${caKind.signatureAlgorithm}`);
      const responder = execFileSync("openssl", ["x509", "-inform", "DER", "-noout", "-text"], {
        input: t.app.services.ca.responder().certificateDer,
        encoding: "utf8",
      });
      expect(responder).toMatch(caKind.publicKey);
      expect(responder).toContain(`Signature Algorithm: ${caKind.signatureAlgorithm}`);
      const answer = await ocsp(Object.keys(issued)[0]!);
      expect(answer).toContain("Response verify OK");
      expect(answer).toContain(`Signature Algorithm: ${caKind.signatureAlgorithm}`);
    });

    it("follows hold → release → revoke in the CRL and OCSP exactly as the database says, for every judge", async () => {
      const certificate = await issue(
        { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
        ec("P-256"),
      );
      const { serial } = certificate;
      issued[serial] = file(`${serial}.pem`, toPem(certificate.der, "CERTIFICATE"));
      // An RSA-2048 badge goes the same way beside it (the Contractor badge).
      const badge = await issue({ name: "badge", kind: "authentication", keyAlgorithm: "RSA-2048" }, rsa2048);
      issued[badge.serial] = file(`${badge.serial}.pem`, toPem(badge.der, "CERTIFICATE"));
      const both = [serial, badge.serial];
      const all = (verdict: unknown) => Object.fromEntries(both.map((s) => [s, verdict]));
      const helpdesk = apiAs(t.server, await t.login("helpdesk"));
      const security = apiAs(t.server, await t.login("security"));

      expect(await ocsp(serial)).toMatch(new RegExp(`${issued[serial]}: good`));
      expect(await judge(both)).toEqual(all(accepted));

      for (const s of both) {
        const hold = await helpdesk("POST", "/api/v1/processes/CertificatesProcHold", { serial: s });
        expect(hold.body.certificate).toMatchObject({ state: "onHold", revocationReason: "certificateHold" });
      }
      expect(await verify(serial)).toMatch(/error 23 at 0 depth lookup: certificate revoked/);
      const held = await ocsp(serial);
      expect(held).toMatch(/: revoked/);
      expect(held).toMatch(/Reason: certificateHold/);
      expect(held).toContain("Response verify OK");
      expect(await judge(both)).toEqual(all(refused("CERTIFICATE_HOLD", "certificateHold")));

      for (const s of both) {
        const release = await helpdesk("POST", "/api/v1/processes/CertificatesProcRelease", { serial: s });
        expect(release.body.certificate).toMatchObject({ state: "valid", revokedAt: null });
      }
      expect(await ocsp(serial)).toMatch(/: good/);
      expect(await verify(serial)).toContain(": OK");
      expect(await judge(both)).toEqual(all(accepted));

      const again = await helpdesk("POST", "/api/v1/processes/CertificatesProcRelease", { serial });
      expect([again.status, again.body.error.code]).toEqual([409, "certificate.state_not_allowed"]);
      expect(
        (
          await helpdesk("POST", "/api/v1/processes/CertificatesProcRevoke", {
            serial,
            reason: "keyCompromise",
          })
        ).status,
      ).toBe(403);

      for (const s of both) {
        const revoke = await security("POST", "/api/v1/processes/CertificatesProcRevoke", {
          serial: s,
          reason: "keyCompromise",
        });
        expect(revoke.body.certificate).toMatchObject({
          state: "revoked",
          revocationReason: "keyCompromise",
        });
      }
      expect(await ocsp(serial)).toMatch(/Reason: keyCompromise/);
      expect(await verify(serial)).toMatch(/certificate revoked/);
      expect(await judge(both)).toEqual(all(refused("KEY_COMPROMISE", "keyCompromise")));
      for (const process of ["CertificatesProcRelease", "CertificatesProcHold"]) {
        const r = await security("POST", `/api/v1/processes/${process}`, { serial });
        expect([r.status, r.body.error.code]).toEqual([409, "certificate.state_not_allowed"]);
      }
      const r = await security("POST", "/api/v1/processes/CertificatesProcRevoke", {
        serial,
        reason: "superseded",
      });
      expect(r.body.error.code).toBe("certificate.state_not_allowed");
      expect(
        (await security("POST", "/api/v1/processes/CertificatesProcHold", { serial: "zz" })).status,
      ).toBe(400);
      expect(
        (await security("POST", "/api/v1/processes/CertificatesProcHold", { serial: "0abc" })).body.error
          .code,
      ).toBe("certificate.not_found");

      const crlText = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
        input: (await t.app.services.crl.current()).der,
        encoding: "utf8",
      });
      expect(crlText).toContain(`Serial Number: ${serial.toUpperCase()}`);
      expect(crlText).toContain("Key Compromise");
      expect(crlText).toMatch(/X509v3 CRL Number:\s+\d+/);
    });

    it("answers unknown for a serial it never recorded, and malformedRequest for garbage — never a 5xx", async () => {
      const ca = t.app.services.ca;
      const now = t.clock();
      const stray = await ca.issuer.issue({
        serial: newSerial(),
        profile: { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
        subject,
        publicKey: spki(ec("P-256")),
        notBefore: now,
        notAfter: new Date(now.getTime() + 86400_000),
      });
      issued.stray = file("stray.pem", toPem(stray, "CERTIFICATE"));
      expect(await ocsp("stray")).toMatch(/: unknown/);

      const garbage = await fetch(`${baseUrl}/pki/ocsp`, {
        method: "POST",
        headers: { "content-type": "application/ocsp-request" },
        body: "not DER at all",
      });
      expect(garbage.status).toBe(200);
      const respFile = file("garbage.der", Buffer.from(await garbage.arrayBuffer()));
      expect(openssl("ocsp", "-respin", respFile, "-resp_text", "-noverify").stdout).toMatch(
        /malformedrequest/i,
      );
      const emptyGet = await fetch(`${baseUrl}/pki/ocsp/%%%`);
      expect(emptyGet.status).toBeLessThan(500);
    });

    it("answers OCSP by GET with the request base64 in the path (RFC 6960 §A.1)", async () => {
      const serial = Object.keys(issued).find((s) => s !== "stray")!;
      const reqFile = path.join(dir, "req.der");
      openssl(
        "ocsp",
        "-issuer",
        file("ca.pem", caPem),
        "-cert",
        issued[serial]!,
        "-reqout",
        reqFile,
        "-no_nonce",
      );
      const request = execFileSync("base64", ["-w0", reqFile], { encoding: "utf8" });
      const response = await fetch(`${baseUrl}/pki/ocsp/${encodeURIComponent(request)}`);
      expect(response.headers.get("content-type")).toBe("application/ocsp-response");
      const respFile = file("get-resp.der", Buffer.from(await response.arrayBuffer()));
      const text = openssl(
        "ocsp",
        "-respin",
        respFile,
        "-issuer",
        file("ca.pem", caPem),
        "-CAfile",
        file("ca.pem", caPem),
        "-cert",
        issued[serial]!,
        "-resp_text",
      );
      expect(`${text.stdout}${text.stderr}`).toContain("Response verify OK");
      expect(text.stdout).toMatch(/: good/);
    });

    it("refuses a key of the wrong algorithm or size and a too-long subject, recording nothing", async () => {
      const { db } = t.app.services.store;
      const count = async () =>
        Number(
          (
            await db
              .selectFrom("certificates")
              .select((eb) => eb.fn.countAll().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      await expect(
        issue({ name: "a", kind: "authentication", keyAlgorithm: "P-256" }, ec("secp384r1")),
      ).rejects.toMatchObject({
        code: "certificate.public_key_mismatch",
        status: 400,
      });
      await expect(
        issue({ name: "a", kind: "authentication", keyAlgorithm: "RSA-3072" }, rsa2048),
      ).rejects.toMatchObject({
        code: "certificate.public_key_mismatch",
      });
      const now = t.clock();
      await expect(
        db.transaction().execute((trx) =>
          issueCertificates(
            trx,
            t.app.services.ca,
            [
              {
                cardId: null,
                profile: { name: "a", kind: "signature", keyAlgorithm: "P-256" },
                subject: { ...subject, commonName: "x".repeat(65) },
                publicKey: spki(ec("P-256")),
                notBefore: now,
                notAfter: new Date(now.getTime() + 86400_000),
                initialState: "valid",
              },
            ],
            now.toISOString(),
          ),
        ),
      ).rejects.toMatchObject({ code: "certificate.subject_too_long", status: 400 });
      expect(await count()).toBe(before);
    });

    it("coalesces many status changes into one CRL, served as DER with caching headers", async () => {
      const first = await t.app.services.crl.current();
      const serials: string[] = [];
      for (let i = 0; i < 30; i++)
        serials.push(
          (await issue({ name: "s", kind: "signature", keyAlgorithm: "P-256" }, ec("P-256"), "onHold"))
            .serial,
        );
      const response = await fetch(`${baseUrl}/pki/crl`);
      expect(response.headers.get("content-type")).toBe("application/pkix-crl");
      expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
      const crl = await t.app.services.crl.current();
      expect(crl.number).toBe(first.number + 1);
      const text = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], {
        input: Buffer.from(await response.arrayBuffer()),
        encoding: "utf8",
      });
      for (const serial of serials) expect(text).toContain(serial.toUpperCase());
      expect(text.match(/Certificate Hold/g)?.length).toBeGreaterThanOrEqual(30);
    });

    it("reads certificates as JSON, DER and PEM, and searches them", async () => {
      const api = apiAs(t.server, await t.login("helpdesk"));
      const serial = Object.keys(issued).find((s) => s !== "stray")!;
      const json = await api("GET", `/api/v1/certificates/${serial}`);
      expect(json.body.certificate).toMatchObject({
        serial,
        subject: expect.stringContaining("CN=Åsa Öberg"),
      });
      const der = await t.server.inject({
        url: `/api/v1/certificates/${serial}`,
        headers: { cookie: await t.login("helpdesk"), accept: "application/pkix-cert" },
      });
      expect(der.headers["content-type"]).toBe("application/pkix-cert");
      expect(serialToHex(Buffer.from(der.rawPayload.subarray(15, 31)))).toBe(serial);
      const pem = await t.server.inject({
        url: `/api/v1/certificates/${serial}?format=pem`,
        headers: { cookie: await t.login("helpdesk") },
      });
      expect(pem.body).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(
        (await api("GET", "/api/v1/certificates?state=onHold&limit=5")).body.total,
      ).toBeGreaterThanOrEqual(30);
      expect((await api("GET", "/api/v1/certificates/00ff")).status).toBe(404);
    });
  },
);
