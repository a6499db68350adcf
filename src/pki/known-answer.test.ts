/**
 * Known-answer tests: fixed keys, serials and dates give byte-identical TBS structures. ECDSA
 * signatures are randomised, so the hashes pin what is signed, and the signatures are checked
 * to verify. A change to any pinned hash is a change to the certificates Tessera issues: read
 * the `openssl x509 -text` of the new output before updating the pin.
 */
import "reflect-metadata";
import { createHash, createPrivateKey, createPublicKey, verify } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, CertificateList } from "@peculiar/asn1-x509";
import {
  AuthorityKeyIdentifierExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509Crl,
} from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { createCaCertificate, parseCaCertificate } from "./ca-certificate.js";
import { createCertificateIssuer } from "./certificate-issuer.js";
import { buildCrl } from "./crl.js";
import { children, raw, readWhole, Tag } from "./der.js";
import { createKeySigner, spkiOf } from "./signer.js";
import { readCertificate } from "./x509-certificate.js";

const caKeyPem = `-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBKDujFctgSDlr7u7Dp
LPhg//uxw9DJvleVWmMBjd+wTf5Jxy/GT13x1hReJIFsc42hZANiAAQSKtFOo0Ud
Y1risT/E3qY3ekW80acit76bQAhSEGSQfG7DXI3cICxbrGdreJW+9cI8fhbUGUbc
GmN2kF58P+ngRgxHR5si4cge/79SJB6SMtcJXdcTiWz3OWGf+hf2K88=
-----END PRIVATE KEY-----`;

const subjectKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgG05XWSgXRErg+OZI
ZTS6L7iDwIwIlmCi+a2kEi8JfqGhRANCAATLEXR1oiKMLvTZl7dTvQl1Ofc3Hh3b
YcKRP773PG41F2cHPQU/g6sNZ7SWq/E71cn0SNQn9GlCnNbiqizjihXm
-----END PRIVATE KEY-----`;

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

const pinned = {
  caTbs: "9a64a189744fac30c79041172aac3160b4afd675692acc46d5b637e68ed6f536",
  authenticationTbs: "f1d9c4086db32ba22c07853d207d51448e712fd155ec01de77f757388c8fdbc7",
  signatureTbs: "15acd25cdda943235923eb99559662ffb66faf7ce7c7fd324ec02889c96c7b2a",
  encryptionTbs: "8f32f4591ba5cb4cf60784646e1d744f100cd99e27e0f658f7834ad83bc67ca3",
  crlTbs: "c035fb3b6d3fe36474eb419f0f7f8288746d575bf81abaa92305ddb3c553903d",
};

describe("known answers", () => {
  const caSigner = createKeySigner(createPrivateKey(caKeyPem));
  const subjectSpki = spkiOf(createPrivateKey(subjectKeyPem));
  const caPublicKey = createPublicKey(caKeyPem);

  const checkSignature = (der: Buffer) => {
    const [tbs, , signature] = children(der, readWhole(der, Tag.sequence));
    const signatureBits = der.subarray(signature!.contentStart + 1, signature!.end);
    expect(verify("sha384", raw(der, tbs!), { key: caPublicKey, dsaEncoding: "der" }, signatureBits)).toBe(
      true,
    );
    return raw(der, tbs!);
  };

  it("pins the CA certificate, the issued certificates and the CRL", async () => {
    const caDer = await createCaCertificate({
      subjectName: "CN=Tessera KAT CA,O=Tessera,C=NL",
      signer: caSigner,
      notBefore: new Date("2026-01-01T00:00:00.750Z"),
      validityYears: 10,
      serial: Buffer.from("4b4154", "hex"),
    });
    const ca = parseCaCertificate(caDer);
    expect(sha256(checkSignature(caDer))).toBe(pinned.caTbs);
    expect(ca.notAfter.toISOString()).toBe("2036-01-01T00:00:00.000Z");

    const issuer = createCertificateIssuer({ ca, signer: caSigner, publicBaseUrl: "https://id.example.org" });
    for (const kind of ["authentication", "signature", "encryption"] as const) {
      const der = await issuer.issue({
        serial: Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex"),
        profile: { name: kind, kind, keyAlgorithm: "P-256" },
        subject: {
          commonName: "Zoë Example",
          organization: "Acme Corp",
          organizationalUnit: "HR",
          serialNumber: "EMP-0001",
          email: "zoe@acme.example",
          upn: "zoe@corp.acme.example",
        },
        publicKey: subjectSpki,
        notBefore: new Date("2026-02-01T08:00:00Z"),
        notAfter: new Date("2029-02-01T08:00:00Z"),
      });
      expect(sha256(checkSignature(der)), kind).toBe(pinned[`${kind}Tbs`]);
      expect(readCertificate(der).tbs).toEqual(checkSignature(der));

      // An independent reader agrees, and its re-encoding is byte-identical (the DER is canonical).
      expect(Buffer.from(AsnConvert.serialize(AsnConvert.parse(der, Certificate)))).toEqual(der);
      const parsed = new X509Certificate(der);
      expect(parsed.serialNumber).toBe("0102030405060708090a0b0c0d0e0f10");
      expect(parsed.subject).toBe("O=Acme Corp, OU=HR, CN=Zoë Example, 2.5.4.5=EMP-0001");
      expect(parsed.issuer).toBe("C=NL, O=Tessera, CN=Tessera KAT CA");
      expect(parsed.notBefore.toISOString()).toBe("2026-02-01T08:00:00.000Z");
      expect(parsed.notAfter.toISOString()).toBe("2029-02-01T08:00:00.000Z");
      const keyUsage = parsed.getExtension(KeyUsagesExtension)!;
      expect(keyUsage.critical).toBe(true);
      expect(keyUsage.usages).toBe(
        {
          authentication: KeyUsageFlags.digitalSignature,
          signature: KeyUsageFlags.nonRepudiation,
          encryption: KeyUsageFlags.keyAgreement,
        }[kind],
      );
      const eku = parsed.getExtension(ExtendedKeyUsageExtension);
      expect(eku?.usages ?? []).toEqual(
        {
          authentication: ["1.3.6.1.5.5.7.3.2", "1.3.6.1.4.1.311.20.2.2"],
          signature: [],
          encryption: ["1.3.6.1.5.5.7.3.4"],
        }[kind],
      );
      const san = parsed.getExtension(SubjectAlternativeNameExtension)!.names.toJSON();
      expect(san).toEqual([
        { type: "email", value: "zoe@acme.example" },
        { type: "upn", value: "zoe@corp.acme.example" },
      ]);
      expect(Buffer.from(parsed.getExtension(AuthorityKeyIdentifierExtension)!.keyId!, "hex")).toEqual(
        ca.subjectKeyIdentifier,
      );
      expect(await parsed.verify({ publicKey: new X509Certificate(caDer), signatureOnly: true })).toBe(true);
    }

    const crl = await buildCrl({
      ca,
      signer: caSigner,
      crlNumber: 7n,
      thisUpdate: new Date("2026-03-01T00:00:00Z"),
      nextUpdate: new Date("2026-03-02T00:00:00Z"),
      entries: [
        {
          serial: "0102030405060708090a0b0c0d0e0f10",
          revokedAt: new Date("2026-02-15T12:00:00Z"),
          reason: "certificateHold",
        },
        { serial: "11", revokedAt: new Date("2026-02-16T12:00:00Z"), reason: "unspecified" },
      ],
    });
    expect(sha256(checkSignature(crl))).toBe(pinned.crlTbs);
    expect(Buffer.from(AsnConvert.serialize(AsnConvert.parse(crl, CertificateList)))).toEqual(crl);
    const parsedCrl = new X509Crl(crl);
    expect(parsedCrl.entries.map((entry) => [entry.serialNumber, entry.reason])).toEqual([
      ["0102030405060708090a0b0c0d0e0f10", 6],
      ["11", undefined],
    ]);
    expect(Buffer.from(AsnConvert.serialize(AsnConvert.parse(caDer, Certificate)))).toEqual(caDer);
  });
});
