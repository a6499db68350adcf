import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer } from "../test-support/pki.js";
import { hasTool } from "../test-support/tools.js";
import type { CertificateIssuer } from "./certificate-issuer.js";
import { octetString, oid, sequence, Tag, tlv } from "./der.js";
import {
  answerOcspRequest,
  buildOcspErrorResponse,
  buildOcspResponse,
  certIdFor,
  createOcspSigningCertificate,
  matchesCa,
  type OcspCertStatus,
  type OcspResponderKey,
  parseOcspRequest,
} from "./ocsp.js";
import { Oid } from "./oids.js";
import { createKeySigner } from "./signer.js";
import { createTestCa, createWorkFolder, generateTestKey, run, type TestCa } from "./test-kit.js";
import { newSerial, readCertificate } from "./x509-certificate.js";

const hour = 3_600_000;

/** A minimal OCSPRequest with one CertID and the given request extensions. */
function request(certIdDer: Buffer, extensions?: Buffer[]): Buffer {
  const tbs = [sequence(sequence(certIdDer))];
  if (extensions) tbs.push(tlv(0xa2, sequence(...extensions)));
  return sequence(sequence(...tbs));
}

describe("OCSP: parsing untrusted requests", () => {
  let testCa: TestCa;
  beforeAll(async () => {
    testCa = await createTestCa();
  });

  it("reads CertIDs and the nonce, and matches the CA by name and key hash", () => {
    const serial = Buffer.from("7b2a", "hex");
    for (const hashAlgorithm of ["sha1", "sha256", "sha384", "sha512"] as const) {
      const certId = certIdFor(testCa.ca, serial, hashAlgorithm);
      const nonceValue = octetString(randomBytes(32));
      const parsed = parseOcspRequest(
        request(certId.der, [sequence(oid(Oid.ocspNonce), octetString(nonceValue))]),
      );
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.nonce).toEqual(nonceValue);
      expect(parsed.requests).toHaveLength(1);
      expect(parsed.requests[0]).toMatchObject({ hashAlgorithm, serialHex: "7b2a" });
      expect(parsed.requests[0]!.der).toEqual(certId.der);
      expect(matchesCa(parsed.requests[0]!, testCa.ca)).toBe(true);
    }
  });

  it("never throws on malformed input", async () => {
    const valid = request(certIdFor(testCa.ca, newSerial()).der, [
      sequence(oid(Oid.ocspNonce), octetString(octetString(randomBytes(16)))),
    ]);
    const bad: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from("hello"),
      valid.subarray(0, valid.length - 1),
      Buffer.concat([valid, Buffer.from([0])]),
      sequence(sequence(sequence())), // no requests
      request(certIdFor(testCa.ca, newSerial()).der, [
        sequence(oid(Oid.ocspNonce), octetString(octetString(randomBytes(129)))),
      ]),
      request(certIdFor(testCa.ca, newSerial()).der, [
        sequence(oid(Oid.ocspNonce), octetString(octetString(Buffer.alloc(0)))),
      ]),
      Buffer.from([0x30, 0x80, 0x00, 0x00]), // indefinite length (BER, not DER)
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      sequence(
        sequence(
          sequence(...Array.from({ length: 101 }, () => sequence(certIdFor(testCa.ca, newSerial()).der))),
        ),
      ),
    ];
    for (const input of bad) {
      const parsed = parseOcspRequest(input);
      expect(parsed.ok, input.toString("hex")).toBe(false);
      const response = await answerOcspRequest({
        request: input,
        ca: testCa.ca,
        responder: { certificateDer: testCa.certificateDer, signer: testCa.signer },
        now: new Date(),
        lookup: () => ({ kind: "good" }),
      });
      expect(response).toEqual(buildOcspErrorResponse("malformedRequest"));
    }
    // Random mutations of a valid request: parsed or refused, never thrown.
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(valid);
      for (let j = 0; j < 1 + (i % 4); j++)
        mutated[(i * 7919 + j * 104729) % mutated.length] = randomBytes(1)[0]!;
      expect(() => parseOcspRequest(mutated)).not.toThrow();
    }
  });

  it("answers unknown for another issuer's CertID and for unsupported hash algorithms", () => {
    const certId = certIdFor(testCa.ca, newSerial());
    expect(matchesCa({ ...certId, issuerKeyHash: Buffer.alloc(20) }, testCa.ca)).toBe(false);
    expect(matchesCa({ ...certId, issuerNameHash: Buffer.alloc(20) }, testCa.ca)).toBe(false);
    const md5CertId = sequence(
      sequence(oid("1.2.840.113549.2.5")),
      octetString(Buffer.alloc(16)),
      octetString(Buffer.alloc(16)),
      tlv(0x02, Buffer.from([1])),
    );
    const parsed = parseOcspRequest(request(md5CertId));
    expect(parsed.ok && parsed.requests[0]!.hashAlgorithm).toBe("other");
    expect(parsed.ok && matchesCa(parsed.requests[0]!, testCa.ca)).toBe(false);
  });
});

describe.runIf(hasTool("openssl", "openssl"))("OCSP: OpenSSL requests and checks responses", () => {
  let testCa: TestCa;
  let issuer: CertificateIssuer;
  let certSerial: Buffer;
  const folder = createWorkFolder();

  beforeAll(async () => {
    ({ testCa, issuer } = await createTestIssuer(folder));
    certSerial = newSerial();
    const der = await issuer.issue({
      serial: certSerial,
      profile: { name: "auth", kind: "authentication", keyAlgorithm: "P-256" },
      subject: { commonName: "Olive Cert", serialNumber: "EMP-7" },
      publicKey: (await generateTestKey("P-256")).spki,
      notBefore: new Date(Date.now() - hour),
      notAfter: new Date(Date.now() + 24 * hour),
    });
    folder.writePem("cert.pem", der, "CERTIFICATE");
  });
  afterAll(() => folder.remove());

  const makeRequest = (name: string, options: string[]) => {
    const result = run(
      "openssl",
      ["ocsp", ...options, "-issuer", "ca.pem", "-cert", "cert.pem", "-reqout", `${name}.der`],
      folder.dir,
    );
    expect(result.status, result.output).toBe(0);
    return readFileSync(folder.file(`${name}.der`));
  };

  /**
   * Checks a response twice: against the request file (signature and nonce), and against
   * cert.pem (OpenSSL's own CertID, so it prints "cert.pem: <status>").
   */
  const check = (responseDer: Buffer, requestFile: string, digest: string[] = []) => {
    folder.write("resp.der", responseDer);
    const common = ["ocsp", "-respin", "resp.der", "-issuer", "ca.pem", "-CAfile", "ca.pem"];
    const withRequest = run("openssl", [...common, "-reqin", requestFile, "-resp_text"], folder.dir);
    const withCert = run("openssl", [...common, "-no_nonce", ...digest, "-cert", "cert.pem"], folder.dir);
    expect(withCert.output).toContain("Response verify OK");
    return { output: withRequest.output + withCert.output, withRequest };
  };

  const statuses: [string, OcspCertStatus, RegExp][] = [
    ["good", { kind: "good" }, /cert\.pem: good/],
    [
      "revoked (certificateHold)",
      { kind: "revoked", revokedAt: new Date(Date.now() - hour / 2), reason: "certificateHold" },
      /cert\.pem: revoked\n[\s\S]*Reason: certificateHold/,
    ],
    ["unknown", { kind: "unknown" }, /cert\.pem: unknown/],
  ];

  it.each(statuses)("answers %s, signed by the CA, nonce echoed", async (_name, status, expected) => {
    const requestDer = makeRequest("req-nonce", []);
    const parsed = parseOcspRequest(requestDer);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.nonce).toBeDefined();
    const [certId] = parsed.requests;
    expect(certId).toMatchObject({ hashAlgorithm: "sha1", serialHex: certSerial.toString("hex") });
    expect(matchesCa(certId!, testCa.ca)).toBe(true);

    const now = new Date();
    const response = await buildOcspResponse({
      responder: { certificateDer: testCa.certificateDer, signer: testCa.signer },
      producedAt: new Date(now.getTime() + 123), // fractional: must be floored
      responses: [{ certId: certId!, status, thisUpdate: now, nextUpdate: new Date(now.getTime() + hour) }],
      nonce: parsed.nonce,
    });
    const result = check(response, "req-nonce.der");
    expect(result.withRequest.output).toContain("Response verify OK");
    expect(result.withRequest.output).toContain("OCSP Nonce:");
    expect(result.output).toMatch(expected);
    expect(result.output).toContain("OCSP Response Status: successful (0x0)");
    expect(result.output).toContain("Responder Id: ");
    expect(result.output).not.toContain("WARNING");
    // Times are whole seconds: every GeneralizedTime is YYYYMMDDHHMMSSZ.
    const times: string[] = [];
    for (
      let i = response.indexOf(Tag.generalizedTime);
      i >= 0;
      i = response.indexOf(Tag.generalizedTime, i + 1)
    ) {
      const text = response.toString("latin1", i + 2, i + 2 + response[i + 1]!);
      if (/^\d{8}/.test(text)) times.push(text);
    }
    expect(times.length).toBeGreaterThanOrEqual(3); // producedAt, thisUpdate, nextUpdate (+ revocationTime)
    for (const time of times) expect(time).toMatch(/^\d{14}Z$/);
  });

  it("answers a request without nonce and a SHA-256 CertID through answerOcspRequest", async () => {
    for (const [name, options] of [
      ["req-plain", ["-no_nonce"]],
      ["req-sha256", ["-sha256"]],
    ] as const) {
      const requestDer = makeRequest(name, [...options]);
      const parsed = parseOcspRequest(requestDer);
      expect(parsed.ok && parsed.nonce === undefined).toBe(name === "req-plain");
      const lookups: string[] = [];
      const response = await answerOcspRequest({
        request: requestDer,
        ca: testCa.ca,
        responder: { certificateDer: testCa.certificateDer, signer: testCa.signer },
        now: new Date(),
        validitySeconds: 3600,
        lookup: (serialHex) => {
          lookups.push(serialHex);
          return { kind: "revoked", revokedAt: new Date(Date.now() - hour), reason: "keyCompromise" };
        },
      });
      expect(lookups).toEqual([certSerial.toString("hex")]);
      const result = check(response, `${name}.der`, name === "req-sha256" ? ["-sha256"] : []);
      expect(result.withRequest.output).toContain("Response verify OK");
      expect(result.output).toMatch(/cert\.pem: revoked[\s\S]*Reason: keyCompromise/);
      expect(result.output).toContain("Next Update:");
      if (name === "req-plain") expect(result.output).not.toContain("OCSP Nonce");
      if (name === "req-sha256") expect(result.output).toContain("Hash Algorithm: sha256");
    }
  });

  it("answers unknown, without asking the store, for a certificate of another CA", async () => {
    const otherCa = await createTestCa({ subjectName: "CN=Other CA" });
    folder.writePem("other-ca.pem", otherCa.certificateDer, "CERTIFICATE");
    const result = run(
      "openssl",
      ["ocsp", "-issuer", "other-ca.pem", "-serial", "0x1234", "-reqout", "req-other.der"],
      folder.dir,
    );
    expect(result.status, result.output).toBe(0);
    const response = await answerOcspRequest({
      request: readFileSync(folder.file("req-other.der")),
      ca: testCa.ca,
      responder: { certificateDer: testCa.certificateDer, signer: testCa.signer },
      now: new Date(),
      lookup: () => {
        throw new Error("must not be asked");
      },
    });
    folder.write("resp-other.der", response);
    const text = run("openssl", ["ocsp", "-respin", "resp-other.der", "-resp_text", "-noverify"], folder.dir);
    expect(text.output).toContain("Cert Status: unknown");
  });

  it("signs with a delegated responder certificate (id-kp-OCSPSigning, ocsp-nocheck)", async () => {
    const responderKey = await generateTestKey("P-256");
    const responderCert = await createOcspSigningCertificate({
      ca: testCa.ca,
      caSigner: testCa.signer,
      responderPublicKey: responderKey.spki,
      serial: newSerial(),
      notBefore: new Date(Date.now() - hour),
      notAfter: new Date(Date.now() + 7 * 24 * hour),
    });
    const responderPem = folder.writePem("responder.pem", responderCert, "CERTIFICATE");
    const text = run("openssl", ["x509", "-in", responderPem, "-noout", "-text"]).stdout;
    expect(text).toContain("OCSP Signing");
    expect(text).toContain("OCSP No Check");
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    const verified = run(
      "openssl",
      ["verify", "-x509_strict", "-purpose", "ocsphelper", "-CAfile", "ca.pem", responderPem],
      folder.dir,
    );
    expect(verified.status, verified.output).toBe(0);

    const responder: OcspResponderKey = {
      certificateDer: responderCert,
      signer: createKeySigner(responderKey.privateKey),
    };
    const requestDer = makeRequest("req-delegated", []);
    const response = await answerOcspRequest({
      request: requestDer,
      ca: testCa.ca,
      responder,
      now: new Date(),
      lookup: () => ({ kind: "good" }),
    });
    const result = check(response, "req-delegated.der");
    expect(result.withRequest.output).toContain("Response verify OK");
    expect(result.output).toContain("cert.pem: good");

    // A responder whose signer is not its certificate's key is refused.
    await expect(
      buildOcspResponse({
        responder: { certificateDer: responderCert, signer: testCa.signer },
        producedAt: new Date(),
        responses: [],
      }),
    ).rejects.toMatchObject({ code: "ca.key_mismatch" });
    expect(readCertificate(responderCert).notAfter.getTime()).toBeLessThanOrEqual(
      testCa.ca.notAfter.getTime(),
    );
  });

  it("prints malformedRequest for the error response", () => {
    folder.write("malformed.der", buildOcspErrorResponse("malformedRequest"));
    const result = run(
      "openssl",
      ["ocsp", "-respin", "malformed.der", "-resp_text", "-noverify"],
      folder.dir,
    );
    expect(result.output).toContain("Responder Error: malformedrequest (1)");
    folder.write("internal.der", buildOcspErrorResponse("internalError"));
    expect(
      run("openssl", ["ocsp", "-respin", "internal.der", "-resp_text", "-noverify"], folder.dir).output,
    ).toContain("Responder Error: internalerror (2)");
  });
});
