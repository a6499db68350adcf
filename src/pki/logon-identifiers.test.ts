import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import {
  type CertificateProfile,
  cardTemplateSchema,
  type KeyAlgorithm,
  type LogonSettings,
} from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { createTestIssuer } from "../test-support/pki.js";
import { hasPythonCryptography, hasTool } from "../test-support/tools.js";
import type { CertificateIssuer } from "./certificate-issuer.js";
import type { CertificateSubject } from "./certificate-profiles.js";
import { createWorkFolder, generateTestKey, run } from "./test-kit.js";
import { newSerial } from "./x509-certificate.js";

/**
 * Logon identifiers (issue 11): the SID for Windows strong mapping and the Kerberos PKINIT
 * principal, judged by parsers no one here wrote: Python's `cryptography` reads the certificate,
 * OpenSSL's `asn1parse` the structures inside the SID extension and the PKINIT otherName.
 */
const sid = "S-1-5-21-1004336348-1177238915-682003330-1101";
const holder: CertificateSubject = {
  commonName: "Anna Svensson",
  serialNumber: "E10001",
  email: "anna.svensson@corp.example",
  upn: "anna.svensson@corp.example",
  sid,
};

const authentication = (logon?: LogonSettings, keyAlgorithm: KeyAlgorithm = "P-256"): CertificateProfile => ({
  name: "authentication",
  kind: "authentication",
  keyAlgorithm,
  ...(logon && { logon }),
});

const day = 86_400_000;
const folder = createWorkFolder("tessera-logon-");
let issuer: CertificateIssuer;
const keys = new Map<KeyAlgorithm, Buffer>();

beforeAll(async () => {
  ({ issuer } = await createTestIssuer(folder));
  for (const algorithm of ["P-256", "RSA-2048"] as const)
    keys.set(algorithm, (await generateTestKey(algorithm)).spki);
});
afterAll(() => folder.remove());

function issue(profile: CertificateProfile, subject: CertificateSubject = holder): Promise<Buffer> {
  const now = Date.now();
  return issuer.issue({
    serial: newSerial(),
    profile,
    subject,
    publicKey: keys.get(profile.keyAlgorithm)!,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * day),
  });
}

async function refusal(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  return error as TesseraError;
}

describe("logon settings in a template", () => {
  const template = (profile: Record<string, unknown>) =>
    cardTemplateSchema.safeParse({
      name: "Logon",
      profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "P-256", ...profile }],
    });

  it("refuses PKINIT without a realm, naming the field", () => {
    const parsed = template({ logon: { pkinit: {} } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(["profiles", 0, "logon", "pkinit", "realm"]);
  });

  it("stops Tessera at start on a configuration file with PKINIT and no realm, naming the field", () => {
    const cwd = folder.dir;
    const file = folder.write(
      "tessera.json",
      JSON.stringify({
        templates: [
          {
            name: "Logon",
            profiles: [{ name: "a", kind: "authentication", keyAlgorithm: "P-256", logon: { pkinit: {} } }],
          },
        ],
      }),
    );
    expect(() => loadConfig({ env: { TESSERA_CONFIG: file }, cwd })).toThrow(
      /tessera\.json: templates\.0\.profiles\.0\.logon\.pkinit\.realm/,
    );
  });

  it("refuses a realm that is not one, an unknown SID form and logon settings on a signature profile", () => {
    expect(template({ logon: { pkinit: { realm: "CORP EXAMPLE" } } }).success).toBe(false);
    expect(template({ logon: { sid: "attribute" } }).success).toBe(false);
    const signature = cardTemplateSchema.safeParse({
      name: "Logon",
      profiles: [{ name: "signature", kind: "signature", keyAlgorithm: "P-256", logon: { sid: "url" } }],
    });
    expect(signature.success).toBe(false);
    expect(signature.error!.issues[0]!.path).toEqual(["profiles", 0, "logon"]);
  });

  it.each([["CORP..EXAMPLE"], ["CORP.EXAMPLE."], [".CORP.EXAMPLE"]])(
    "refuses the realm %s, whose empty component no KDC's realm has, naming the field",
    (realm) => {
      const parsed = template({ logon: { pkinit: { realm } } });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(["profiles", 0, "logon", "pkinit", "realm"]);
    },
  );

  it("takes a realm of one component and one with hyphens", () => {
    expect(template({ logon: { pkinit: { realm: "LAB" } } }).success).toBe(true);
    expect(template({ logon: { pkinit: { realm: "EU-WEST.CORP-1.EXAMPLE" } } }).success).toBe(true);
  });
});

describe("logon identifiers a holder lacks", () => {
  /** A PKINIT principal made from the UPN, and nothing required. */
  const upnPrincipal = authentication({
    sid: "none",
    pkinit: { realm: "CORP.EXAMPLE", principal: "upn" },
    require: [],
  });

  it("fails a certificate whose template requires a SID the holder has not, naming it", async () => {
    const error = await refusal(
      issue(authentication({ sid: "extension", require: ["sid"] }), { ...holder, sid: undefined }),
    );
    expect(error.code).toBe("certificate.identifier_missing");
    expect(error.details).toEqual({ field: "sid" });
    expect(error.message).toContain("security identifier (SID)");
  });

  it("fails a PKINIT certificate for a holder without the UPN its principal is made from", async () => {
    const error = await refusal(issue(upnPrincipal, { ...holder, upn: undefined }));
    expect(error.code).toBe("certificate.identifier_missing");
    expect(error.details).toEqual({ field: "upn" });
  });

  it("refuses a principal a KerberosString cannot hold", async () => {
    const error = await refusal(issue(upnPrincipal, { ...holder, upn: "anna.sörensen@corp.example" }));
    expect(error.code).toBe("certificate.subject_invalid");
    expect(error.details).toEqual({ field: "upn" });
  });

  it("refuses a principal from a UPN of another domain than the realm, which would name another account", async () => {
    const error = await refusal(issue(upnPrincipal, { ...holder, upn: "anna.svensson@partner.example" }));
    expect(error.code).toBe("certificate.subject_invalid");
    expect(error.details).toEqual({ field: "upn" });
    expect(error.message).toContain("not of the Kerberos realm CORP.EXAMPLE");
  });
});

/** What Python's cryptography reads in a certificate: extensions, SAN entries and purposes. */
const readWithPython = `
import json, sys
from cryptography import x509
cert = x509.load_der_x509_certificate(open(sys.argv[1], "rb").read())
out = {"extensions": {}, "uris": [], "otherNames": [], "upns": [], "eku": []}
for ext in cert.extensions:
    entry = {"critical": ext.critical}
    if isinstance(ext.value, x509.UnrecognizedExtension):
        entry["der"] = ext.value.value.hex()
    out["extensions"][ext.oid.dotted_string] = entry
    if isinstance(ext.value, x509.SubjectAlternativeName):
        out["uris"] = ext.value.get_values_for_type(x509.UniformResourceIdentifier)
        out["otherNames"] = [{"oid": n.type_id.dotted_string, "der": n.value.hex()} for n in ext.value.get_values_for_type(x509.OtherName)]
    if isinstance(ext.value, x509.ExtendedKeyUsage):
        out["eku"] = [oid.dotted_string for oid in ext.value]
print(json.dumps(out))
`;

interface PythonReading {
  extensions: Record<string, { critical: boolean; der?: string }>;
  uris: string[];
  otherNames: { oid: string; der: string }[];
  eku: string[];
}

function readCertificate(der: Buffer, name: string): PythonReading {
  const file = folder.write(`${name}.der`, der);
  const script = folder.write("read.py", readWithPython);
  const result = run("python3", [script, file]);
  expect(result.status, result.output).toBe(0);
  return JSON.parse(result.stdout) as PythonReading;
}

/**
 * OpenSSL's parse of DER bytes, one line per element: its depth and what OpenSSL prints of it.
 * OpenSSL does not print a GeneralString's text, so that is read at the offsets it gives.
 */
function asn1parse(hex: string, name: string): string[] {
  const der = Buffer.from(hex, "hex");
  const file = folder.write(`${name}.der`, der);
  const result = run("openssl", ["asn1parse", "-inform", "DER", "-in", file]);
  expect(result.status, result.output).toBe(0);
  return result.stdout
    .trim()
    .split("\n")
    .map((line) => {
      const [, offset, depth, headerLength, length, rest] =
        /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(?:prim|cons):\s*(.*)$/.exec(line)!;
      const printed = rest!.replace(/\s+:/, " :").trim();
      if (printed !== "GENERALSTRING") return `${depth} ${printed}`;
      const start = Number(offset) + Number(headerLength);
      return `${depth} GENERALSTRING :${der.subarray(start, start + Number(length)).toString("latin1")}`;
    });
}

const judgesHere = () =>
  hasPythonCryptography() && hasTool("openssl", "openssl") && hasTool("hxtool", "heimdal-clients");

describe.runIf(judgesHere())("logon identifiers read by Python's cryptography, OpenSSL and Heimdal", () => {
  const sidExtension = "1.3.6.1.4.1.311.25.2";
  const sidUrl = `tag:microsoft.com,2022-09-14:sid:${sid}`;

  it("writes the SID extension by default, holding the exact SID, not critical", async () => {
    const reading = readCertificate(await issue(authentication()), "default");
    expect(reading.extensions[sidExtension]!.critical).toBe(false);
    expect(asn1parse(reading.extensions[sidExtension]!.der!, "sid-extension")).toEqual([
      "0 SEQUENCE",
      "1 cont [ 0 ]",
      "2 OBJECT :1.3.6.1.4.1.311.25.2.1",
      "2 cont [ 0 ]",
      `3 OCTET STRING :${sid}`,
    ]);
    expect(reading.uris).toEqual([]);
    expect(reading.eku).toEqual(["1.3.6.1.5.5.7.3.2", "1.3.6.1.4.1.311.20.2.2"]);
  });

  it("writes the SID as the subjectAltName URL, or both, or neither, as the profile says", async () => {
    const url = readCertificate(await issue(authentication({ sid: "url", require: [] })), "url");
    expect(url.extensions[sidExtension]).toBeUndefined();
    expect(url.uris).toEqual([sidUrl]);
    const both = readCertificate(await issue(authentication({ sid: "both", require: [] })), "both");
    expect(both.extensions[sidExtension]).toBeDefined();
    expect(both.uris).toEqual([sidUrl]);
    const none = readCertificate(await issue(authentication({ sid: "none", require: [] })), "none");
    expect(none.extensions[sidExtension]).toBeUndefined();
    expect(none.uris).toEqual([]);
  });

  it("leaves the SID out of signature certificates and of holders without one", async () => {
    const signature = readCertificate(
      await issue({ name: "signature", kind: "signature", keyAlgorithm: "P-256" }),
      "signature",
    );
    expect(signature.extensions[sidExtension]).toBeUndefined();
    const noSid = readCertificate(await issue(authentication(), { ...holder, sid: undefined }), "no-sid");
    expect(noSid.extensions[sidExtension]).toBeUndefined();
  });

  it.each([["P-256"], ["RSA-2048"]] as const)(
    "writes the PKINIT principal as a KRB5PrincipalName and the PKINIT purpose (%s)",
    async (keyAlgorithm) => {
      const profile = authentication(
        { sid: "extension", pkinit: { realm: "CORP.EXAMPLE", principal: "upn" }, require: [] },
        keyAlgorithm,
      );
      const reading = readCertificate(await issue(profile), `pkinit-${keyAlgorithm}`);
      expect(reading.eku).toEqual(["1.3.6.1.5.5.7.3.2", "1.3.6.1.4.1.311.20.2.2", "1.3.6.1.5.2.3.4"]);
      const pkinit = reading.otherNames.filter((name) => name.oid === "1.3.6.1.5.2.2");
      expect(pkinit).toHaveLength(1);
      // RFC 4556 §3.2.2: KRB5PrincipalName { realm [0] Realm, principalName [1] PrincipalName {
      // name-type [0] Int32 (1, NT-PRINCIPAL), name-string [1] SEQUENCE OF KerberosString } }.
      expect(asn1parse(pkinit[0]!.der, "krb5-principal-name")).toEqual([
        "0 SEQUENCE",
        "1 cont [ 0 ]",
        "2 GENERALSTRING :CORP.EXAMPLE",
        "1 cont [ 1 ]",
        "2 SEQUENCE",
        "3 cont [ 0 ]",
        "4 INTEGER :01",
        "3 cont [ 1 ]",
        "4 SEQUENCE",
        "5 GENERALSTRING :anna.svensson",
      ]);
      expect(reading.otherNames.map((name) => name.oid)).toContain("1.3.6.1.4.1.311.20.2.3");

      // Heimdal, a Kerberos implementation, reads the principal back as a KDC would see it.
      const pem = folder.writePem(`pkinit-${keyAlgorithm}.pem`, await issue(profile), "CERTIFICATE");
      const heimdal = run("hxtool", ["print", "--content", `FILE:${pem}`]);
      expect(heimdal.status, heimdal.output).toBe(0);
      expect(heimdal.stdout).toContain("subjectAltName otherName pk-init: anna.svensson@CORP.EXAMPLE");
      expect(heimdal.stdout).toContain("eku-2: 1.3.6.1.5.2.3.4");
    },
  );

  it("names the principal by the identifier when the template says so", async () => {
    const profile = authentication({
      sid: "none",
      pkinit: { realm: "CORP.EXAMPLE", principal: "identifier" },
      require: [],
    });
    const reading = readCertificate(await issue(profile, { ...holder, upn: undefined }), "pkinit-identifier");
    const pkinit = reading.otherNames.find((name) => name.oid === "1.3.6.1.5.2.2")!;
    expect(asn1parse(pkinit.der, "krb5-identifier").at(-1)).toBe("5 GENERALSTRING :E10001");
  });
});
