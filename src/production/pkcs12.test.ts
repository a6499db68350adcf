import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { makeCaWithOpenssl } from "../test-support/openssl.js";
import { hasTool } from "../test-support/tools.js";
import { buildPkcs12, type Pkcs12Entry, verifyPkcs12Mac } from "./pkcs12.js";

const password = "123456";

function run(command: string, args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runOk(command: string, args: string[], options: { cwd?: string } = {}) {
  const result = run(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The DER of every `-----BEGIN PRIVATE KEY-----` block in OpenSSL's output, in order. */
function privateKeysIn(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN PRIVATE KEY-----([^-]+)-----END PRIVATE KEY-----/g)].map((match) =>
    Buffer.from(match[1]!.replace(/\s/g, ""), "base64"),
  );
}

/** The arguments of `openssl pkcs12` reading `file` with the test password; `flags` say what it prints. */
const pkcs12Args = (file: string, ...flags: string[]) => [
  "pkcs12",
  ...flags,
  "-in",
  file,
  "-passin",
  `pass:${password}`,
];

describe.runIf(hasTool("openssl", "openssl"))("buildPkcs12", () => {
  let dir: string;
  let ca: Pkcs12Entry;
  let authentication: Pkcs12Entry;
  let signature: Pkcs12Entry;
  let rsa: Pkcs12Entry;
  let ed25519: Pkcs12Entry;
  /** Two P-256 entries and the CA: the file most tests read. */
  let file: string;

  /** Makes a key and a certificate for it with OpenSSL, issued by the CA `ca.pem` and its key. */
  function issueWithOpenssl(name: string, keyArgs: string[], subject: string): { pem: string; key: string } {
    const key = path.join(dir, `${name}.key`);
    const pem = path.join(dir, `${name}.pem`);
    const request = path.join(dir, `${name}.csr`);
    runOk("openssl", [
      "req",
      "-new",
      ...keyArgs,
      "-nodes",
      "-keyout",
      key,
      "-out",
      request,
      "-subj",
      subject,
    ]);
    runOk("openssl", [
      "x509",
      "-req",
      "-in",
      request,
      "-CA",
      path.join(dir, "ca.pem"),
      "-CAkey",
      path.join(dir, "ca.key"),
      "-set_serial",
      String(Math.floor(Math.random() * 1e9)),
      "-days",
      "2",
      "-out",
      pem,
    ]);
    return { pem, key };
  }

  /** Makes a key and a certificate with OpenSSL, issued by the CA unless it is the CA. */
  function makeEntry(name: string, keyArgs: string[], friendlyName: string): Pkcs12Entry {
    const subject = `/CN=Tessera test ${name}`;
    const { pem: certificate, key } =
      name === "ca"
        ? makeCaWithOpenssl(dir, name, ["-subj", subject, "-days", "2"], keyArgs)
        : issueWithOpenssl(name, keyArgs, subject);
    return {
      privateKeyPkcs8: createPrivateKey(readFileSync(key)).export({ type: "pkcs8", format: "der" }),
      certificate: new X509Certificate(readFileSync(certificate)).raw,
      friendlyName,
    };
  }

  function writePkcs12(
    name: string,
    entries: Pkcs12Entry[],
    iterations?: number,
    format?: "modern" | "legacy",
  ): string {
    const target = path.join(dir, name);
    writeFileSync(
      target,
      buildPkcs12({ entries, caCertificates: [ca.certificate], password, iterations, format }),
    );
    return target;
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-pkcs12-"));
    const p256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
    ca = makeEntry("ca", p256, "ca");
    authentication = makeEntry("authentication", p256, "authentication");
    signature = makeEntry("signature", p256, "signature");
    rsa = makeEntry("rsa", ["-newkey", "rsa:2048"], "encryption");
    ed25519 = makeEntry("ed25519", ["-newkey", "ed25519"], "ed25519");
    file = writePkcs12("two-keys.p12", [authentication, signature]);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is read by OpenSSL: three certificates, two keys, PBES2 AES-256-CBC and a SHA-256 MAC", () => {
    const certificatesOnly = runOk("openssl", pkcs12Args(file, "-info", "-nokeys"));
    expect(count(certificatesOnly, "-----BEGIN CERTIFICATE-----")).toBe(3);
    expect(count(certificatesOnly, "PRIVATE KEY-----")).toBe(0);

    const all = runOk("openssl", pkcs12Args(file, "-info", "-nodes"));
    expect(count(all, "-----BEGIN CERTIFICATE-----")).toBe(3);
    expect(count(all, "-----BEGIN PRIVATE KEY-----")).toBe(2);

    // -info goes to stderr: the protection is what OpenSSL 3 writes by default (2048 iterations).
    const { stderr } = run("openssl", pkcs12Args(file, "-info", "-nokeys"));
    expect(stderr).toContain("MAC: sha256, Iteration 2048");
    expect(stderr).toContain("salt length: 16");
    expect(stderr).toContain(
      "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256",
    );
    expect(
      count(stderr, "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"),
    ).toBe(2);
  });

  it("pairs each key with its own certificate by localKeyId and names both alike", () => {
    const all = runOk("openssl", pkcs12Args(file, "-info", "-nodes"));
    // OpenSSL prints each bag as "Bag Attributes", its attributes, then the PEM.
    const bags = all.split("Bag Attributes").slice(1);
    const certificates = new Map<string, { pem: string; name: string }>();
    const keys = new Map<string, { pem: string; name: string }>();
    for (const bag of bags) {
      const id = /localKeyID: ([0-9A-F ]+)/.exec(bag)?.[1]?.trim();
      const name = /friendlyName: (\S+)/.exec(bag)?.[1] ?? "";
      const certificate = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(bag)?.[0];
      const key = /-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/.exec(bag)?.[0];
      if (!id) continue; // the CA certificate has no attributes
      if (certificate) certificates.set(id, { pem: certificate, name });
      if (key) keys.set(id, { pem: key, name });
    }
    expect(keys.size).toBe(2);
    expect([...certificates.keys()].sort()).toEqual([...keys.keys()].sort());
    for (const [id, key] of keys) {
      const certificate = certificates.get(id)!;
      expect(new X509Certificate(certificate.pem).checkPrivateKey(createPrivateKey(key.pem))).toBe(true);
      expect(key.name).toBe(certificate.name);
    }
    expect([...keys.values()].map((key) => key.name)).toEqual(["authentication", "signature"]);
  });

  it("gives back exactly the keys it was given", () => {
    const keys = runOk("openssl", pkcs12Args(file, "-nocerts", "-nodes"));
    expect(privateKeysIn(keys)).toEqual([authentication.privateKeyPkcs8, signature.privateKeyPkcs8]);

    const certificates = runOk("openssl", pkcs12Args(file, "-nokeys", "-clcerts"));
    const pems = [...certificates.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)];
    expect(pems.map((pem) => new X509Certificate(pem[0]).raw)).toEqual([
      authentication.certificate,
      signature.certificate,
    ]);
  });

  it("is refused by OpenSSL with the wrong password", () => {
    const result = run("openssl", ["pkcs12", "-info", "-nodes", "-in", file, "-passin", "pass:654321"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/mac verify (error|failure)/i);
  });

  it("holds an RSA-2048 key", () => {
    const mixed = writePkcs12("rsa.p12", [authentication, rsa]);
    const keys = runOk("openssl", pkcs12Args(mixed, "-nocerts", "-nodes"));
    expect(privateKeysIn(keys)).toEqual([authentication.privateKeyPkcs8, rsa.privateKeyPkcs8]);
  });

  it("holds a key type it cannot compare from DER (Ed25519)", () => {
    const target = writePkcs12("ed25519.p12", [ed25519]);
    const keys = runOk("openssl", pkcs12Args(target, "-nocerts", "-nodes"));
    expect(privateKeysIn(keys)).toEqual([ed25519.privateKeyPkcs8]);
  });

  it("honours the iteration count", () => {
    const target = writePkcs12("iterations.p12", [authentication], 10_000);
    const { stderr, status } = run("openssl", pkcs12Args(target, "-info", "-nokeys"));
    expect(status).toBe(0);
    expect(stderr).toContain("MAC: sha256, Iteration 10000");
    expect(stderr).toContain("Iteration 10000, PRF hmacWithSHA256");
  });

  it("refuses a key that does not belong to its certificate", () => {
    const mismatches: Pkcs12Entry[] = [
      { ...authentication, certificate: signature.certificate },
      { ...rsa, certificate: authentication.certificate },
      { ...ed25519, certificate: authentication.certificate },
    ];
    for (const entry of mismatches) {
      expect(() => buildPkcs12({ entries: [entry], password })).toThrow(
        expect.objectContaining({ code: "production.pkcs12_entry_invalid" }),
      );
    }
  });

  it("refuses inputs that are not DER keys and certificates, or unusable options", () => {
    const pemCertificate = Buffer.from(new X509Certificate(authentication.certificate).toString());
    const refused = (options: Parameters<typeof buildPkcs12>[0]) => {
      try {
        buildPkcs12(options);
      } catch (error) {
        if (error instanceof TesseraError) return error.code;
        throw error;
      }
      return "built";
    };
    expect(refused({ entries: [{ ...authentication, certificate: pemCertificate }], password })).toBe(
      "production.pkcs12_entry_invalid",
    );
    expect(
      refused({ entries: [{ ...authentication, privateKeyPkcs8: Buffer.from("nope") }], password }),
    ).toBe("production.pkcs12_entry_invalid");
    expect(
      refused({ entries: [authentication], caCertificates: [Buffer.from([0x30, 0x05, 0x01])], password }),
    ).toBe("production.pkcs12_entry_invalid");
    expect(refused({ entries: [], password })).toBe("production.pkcs12_options_invalid");
    expect(refused({ entries: [authentication], password: "" })).toBe("production.pkcs12_options_invalid");
    expect(refused({ entries: [authentication], password, iterations: 0 })).toBe(
      "production.pkcs12_options_invalid",
    );
  });

  describe("verifyPkcs12Mac", () => {
    it("accepts the right password and refuses a wrong one, with the reason", () => {
      const der = readFileSync(file);
      expect(verifyPkcs12Mac(der, password)).toEqual({ valid: true });
      const wrong = verifyPkcs12Mac(der, "654321");
      expect(wrong.valid).toBe(false);
      expect(!wrong.valid && wrong.reason).toMatch(/MAC does not match/);
    });

    it("notices a changed byte", () => {
      const der = Buffer.from(readFileSync(file));
      der[der.length - 100]! ^= 0x01;
      expect(verifyPkcs12Mac(der, password).valid).toBe(false);
    });

    it("agrees with OpenSSL's own PKCS#12 MAC (SHA-256 and SHA-1)", () => {
      for (const macAlgorithm of ["sha256", "sha1"]) {
        const target = path.join(dir, `openssl-${macAlgorithm}.p12`);
        runOk("openssl", [
          "pkcs12",
          "-export",
          "-inkey",
          path.join(dir, "authentication.key"),
          "-in",
          path.join(dir, "authentication.pem"),
          "-macalg",
          macAlgorithm,
          "-passout",
          `pass:${password}`,
          "-out",
          target,
        ]);
        const der = readFileSync(target);
        expect(verifyPkcs12Mac(der, password)).toEqual({ valid: true });
        expect(verifyPkcs12Mac(der, "000000").valid).toBe(false);
      }
    });

    it("says why a file is not PKCS#12", () => {
      const result = verifyPkcs12Mac(authentication.certificate, password);
      expect(result.valid).toBe(false);
      expect(!result.valid && result.reason).toMatch(/not a DER PKCS#12 file/);
    });
  });

  describe.runIf(hasTool("certtool", "gnutls-bin"))("with GnuTLS", () => {
    it("is read by certtool: MAC, three certificates, two keys", () => {
      const info = runOk("certtool", ["--p12-info", "--password", password, "--inder", "--infile", file]);
      expect(info).toContain("MAC: SHA256");
      expect(count(info, "Type: Certificate")).toBe(3);
      expect(count(info, "Type: PKCS #8 Encrypted key")).toBe(2);
      expect(info).toContain("Salt size: 16");
    });

    it("is refused by certtool with the wrong password", () => {
      expect(
        run("certtool", ["--p12-info", "--password", "654321", "--inder", "--infile", file]).status,
      ).not.toBe(0);
    });
  });

  describe.runIf(hasTool("pk12util", "libnss3-tools"))("with NSS", () => {
    it("lists a modern file without a database: three certificates, two with their shrouded keys", () => {
      const listing = runOk("pk12util", ["-l", file, "-W", password]);
      expect(count(listing, "Certificate(has private key):")).toBe(2);
      expect(count(listing, "Key(shrouded):")).toBe(2);
      expect(listing).toContain("PKCS #5 Password Based Encryption v2");
      expect(run("pk12util", ["-l", file, "-W", "654321"]).status).not.toBe(0);
    });

    it("is imported by pk12util: three keys paired with their certificates", () => {
      const mixed = writePkcs12("nss.p12", [authentication, signature, rsa]);
      const database = path.join(dir, "nssdb");
      runOk("mkdir", ["-p", database]);
      runOk("certutil", ["-N", "-d", `sql:${database}`, "--empty-password"]);
      runOk("pk12util", ["-i", mixed, "-d", `sql:${database}`, "-W", password]);
      const keys = runOk("certutil", ["-K", "-d", `sql:${database}`]);
      expect(keys).toMatch(/ec\s+\w+\s+authentication/);
      expect(keys).toMatch(/ec\s+\w+\s+signature/);
      expect(keys).toMatch(/rsa\s+\w+\s+encryption/);
      expect(run("pk12util", ["-l", mixed, "-W", "654321"]).status).not.toBe(0);
    });
  });
  describe.runIf(hasTool("keytool", "default-jre-headless"))("with Java", () => {
    it("is listed by keytool: each key an entry under its friendlyName; a wrong PIN refused", () => {
      const mixed = writePkcs12("java.p12", [authentication, signature, rsa]);
      const list = (storePassword: string) =>
        run("keytool", ["-list", "-keystore", mixed, "-storetype", "PKCS12", "-storepass", storePassword]);
      const listing = list(password);
      expect(listing.status).toBe(0);
      expect(listing.stdout).toContain("Your keystore contains 3 entries");
      for (const alias of ["authentication", "signature", "encryption"]) {
        expect(listing.stdout).toMatch(new RegExp(`^${alias}, .*, PrivateKeyEntry,`, "m"));
      }
      const wrong = list("654321");
      expect(wrong.status).not.toBe(0);
      expect(wrong.stdout + wrong.stderr).toMatch(/password was incorrect/);
    });
  });

  describe("the legacy format", () => {
    let legacy: string;
    /** An EC and an RSA key: Heimdal as Debian builds it loads only the RSA one (see below). */
    let mixed: string;
    beforeAll(() => {
      legacy = writePkcs12("legacy.p12", [authentication, signature], undefined, "legacy");
      mixed = writePkcs12("legacy-mixed.p12", [authentication, rsa], undefined, "legacy");
    });

    it("is read by openssl pkcs12 -legacy: 3DES key bags and certificates, a SHA-1 MAC", () => {
      const all = runOk("openssl", pkcs12Args(legacy, "-legacy", "-info", "-nodes"));
      expect(count(all, "-----BEGIN CERTIFICATE-----")).toBe(3);
      expect(privateKeysIn(all)).toEqual([authentication.privateKeyPkcs8, signature.privateKeyPkcs8]);
      const { stderr } = run("openssl", pkcs12Args(legacy, "-legacy", "-info", "-nokeys"));
      expect(stderr).toContain("MAC: sha1, Iteration 2048");
      expect(stderr).toContain("MAC length: 20, salt length: 8");
      expect(stderr).toContain("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048");
      expect(count(stderr, "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048")).toBe(2);
      expect(stderr).not.toContain("PBES2");
    });

    it("pairs keys and certificates as the modern format does, and keeps the iteration count", () => {
      const certificates = runOk("openssl", pkcs12Args(legacy, "-legacy", "-nokeys", "-clcerts"));
      expect(certificates).toMatch(/friendlyName: authentication/);
      expect(certificates).toMatch(/friendlyName: signature/);
      const target = writePkcs12("legacy-10000.p12", [rsa], 10_000, "legacy");
      const { stderr, status } = run("openssl", pkcs12Args(target, "-legacy", "-info", "-nokeys"));
      expect(status).toBe(0);
      expect(stderr).toContain("MAC: sha1, Iteration 10000");
      expect(stderr).toContain("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 10000");
    });

    it("is refused by OpenSSL with the wrong PIN", () => {
      const result = run("openssl", [
        "pkcs12",
        "-legacy",
        "-info",
        "-nodes",
        "-in",
        legacy,
        "-passin",
        "pass:654321",
      ]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/mac verify (error|failure)/i);
      expect(verifyPkcs12Mac(readFileSync(legacy), "654321").valid).toBe(false);
      expect(verifyPkcs12Mac(readFileSync(legacy), password)).toEqual({ valid: true });
    });

    it("refuses a format it does not know", () => {
      expect(() =>
        buildPkcs12({ entries: [authentication], password, format: "rc2" as unknown as "legacy" }),
      ).toThrow(expect.objectContaining({ code: "production.pkcs12_options_invalid" }));
    });

    describe.runIf(hasTool("hxtool", "heimdal-clients"))("with Heimdal", () => {
      // Heimdal's hx509 reads only RFC 7292's own PBE, not PBES2. As Debian builds it, it loads
      // RSA private keys and skips EC ones (as in files `openssl pkcs12 -export -legacy` writes),
      // so the key it must find here is the RSA one.
      const hxtool = (...args: string[]) => run("hxtool", args);

      it("is read by hxtool with the PIN: every certificate, and the RSA key beside its certificate", () => {
        const printed = hxtool("print", `--pass=PASS:${password}`, `PKCS12:${mixed}`);
        expect(printed.status).toBe(0);
        // hxtool prints each certificate's attributes on stdout and its names on stderr.
        expect(count(printed.stdout, "friendly name:")).toBe(3);
        expect(printed.stdout).toMatch(/friendly name: encryption\s+private key: yes/);
        expect(printed.stderr).toContain('subject: "CN=Tessera test rsa"');
        expect(printed.stderr).toContain('subject: "CN=Tessera test authentication"');
        expect(printed.stderr).toContain('subject: "CN=Tessera test ca"');
        const keys = hxtool(
          "query",
          "--private-key",
          "--print",
          `--pass=PASS:${password}`,
          `PKCS12:${mixed}`,
        );
        expect(keys.status).toBe(0);
        expect(keys.stdout).toMatch(/friendly name: encryption\s+private key: yes/);
      });

      it("gives nothing with the wrong PIN", () => {
        const printed = hxtool("print", "--pass=PASS:654321", `PKCS12:${mixed}`);
        expect(printed.stdout + printed.stderr).not.toContain("friendly name:");
        expect(printed.stdout + printed.stderr).not.toContain("subject:");
        const keys = hxtool("query", "--private-key", "--pass=PASS:654321", `PKCS12:${mixed}`);
        expect(keys.status).not.toBe(0);
      });

      it("cannot read the modern format: why legacy exists", () => {
        const modern = writePkcs12("heimdal-modern.p12", [rsa]);
        const printed = hxtool("print", `--pass=PASS:${password}`, `PKCS12:${modern}`);
        expect(printed.stdout + printed.stderr).not.toContain("subject:");
      });
    });
  });
});
