import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { KeyAlgorithm } from "../domain/card-template.js";
import { hasOpensslAndGnutls } from "../test-support/tools.js";
import { children, readWhole, Tag } from "./der.js";
import {
  createKeySigner,
  decryptPrivateKey,
  ecdsaSignatureToDer,
  encryptPrivateKey,
  generateCaKey,
  keyAlgorithmOf,
  signatureAlgorithmFor,
  spkiOf,
} from "./signer.js";
import { createWorkFolder, generateTestKey, run } from "./test-kit.js";

describe("key signer", () => {
  it.each([
    ["P-256", "sha256", "ecdsa-with-SHA256", "06082a8648ce3d040302"],
    ["P-384", "sha384", "ecdsa-with-SHA384", "06082a8648ce3d040303"],
    ["RSA-2048", "sha256", "sha256WithRSAEncryption", "06092a864886f70d01010b0500"],
  ] as const)("signs with a %s key as X.509 wants", async (keyAlgorithm, hash, name, identifierContent) => {
    const { privateKey } = await generateTestKey(keyAlgorithm as KeyAlgorithm);
    const signer = createKeySigner(privateKey);
    expect(signer.keyAlgorithm).toBe(keyAlgorithm);
    expect(signer.publicKey).toEqual(spkiOf(privateKey));
    const algorithm = signatureAlgorithmFor(signer.keyAlgorithm);
    expect(algorithm).toMatchObject({ hash, name });
    expect(algorithm.identifier.subarray(2).toString("hex")).toBe(identifierContent);
    const data = Buffer.from("to be signed");
    const signature = await signer.sign(data);
    const publicKey = createPublicKey({ key: signer.publicKey, format: "der", type: "spki" });
    expect(verify(hash, data, { key: publicKey, dsaEncoding: "der" }, signature)).toBe(true);
    expect(
      verify(hash, Buffer.from("something else"), { key: publicKey, dsaEncoding: "der" }, signature),
    ).toBe(false);
    if (keyAlgorithm !== "RSA-2048") {
      // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3)
      const [r, s, extra] = children(signature, readWhole(signature, Tag.sequence));
      expect([r?.tag, s?.tag, extra]).toEqual([Tag.integer, Tag.integer, undefined]);
    }
  });

  it("converts raw r || s signatures (PKCS#11, WebCrypto) to DER", async () => {
    for (const curve of ["P-256", "P-384"] as const) {
      const { privateKey } = await generateTestKey(curve);
      const publicKey = createPublicKey(privateKey);
      const hash = curve === "P-256" ? "sha256" : "sha384";
      for (let i = 0; i < 50; i++) {
        const data = Buffer.from(`message ${i}`);
        const raw = sign(hash, data, { key: privateKey, dsaEncoding: "ieee-p1363" });
        const der = ecdsaSignatureToDer(raw);
        expect(verify(hash, data, { key: publicKey, dsaEncoding: "der" }, der)).toBe(true);
        expect(readWhole(der, Tag.sequence).end).toBe(der.length);
      }
    }
    expect(ecdsaSignatureToDer(Buffer.from([0, 0, 0xff, 0])).toString("hex")).toBe("3008020100020300ff00");
    expect(ecdsaSignatureToDer(Buffer.from([0, 0x01, 0x80, 0x00])).toString("hex")).toBe(
      "30080201010203008000",
    );
    expect(() => ecdsaSignatureToDer(Buffer.alloc(3))).toThrow(RangeError);
  });

  it("makes P-384 CA keys and refuses keys it cannot sign with", async () => {
    expect(keyAlgorithmOf(generateCaKey())).toBe("P-384");
    const { publicKey } = await generateTestKey("P-256").then((k) => ({
      publicKey: createPublicKey(k.privateKey),
    }));
    expect(() => createKeySigner(publicKey)).toThrow(expect.objectContaining({ code: "ca.key_unsupported" }));
  });

  it("encrypts a key and decrypts it only with the passphrase", async () => {
    const key = generateCaKey();
    const pem = await encryptPrivateKey(key, "correct horse battery staple", { iterations: 1000 });
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const decrypted = await decryptPrivateKey(pem, "correct horse battery staple");
    expect(spkiOf(decrypted)).toEqual(spkiOf(key));
    await expect(decryptPrivateKey(pem, "wrong")).rejects.toMatchObject({ code: "ca.key_decrypt_failed" });
    await expect(decryptPrivateKey("not a pem", "x")).rejects.toMatchObject({
      code: "ca.key_decrypt_failed",
    });
    await expect(encryptPrivateKey(key, "")).rejects.toThrow(RangeError);
  });
});

describe.runIf(hasOpensslAndGnutls())("encrypted keys: OpenSSL and GnuTLS", () => {
  const folder = createWorkFolder();
  afterAll(() => folder.remove());

  it("writes PBES2 / PBKDF2-HMAC-SHA256 (600,000 iterations) / AES-256-CBC that both tools read", async () => {
    const key = generateCaKey();
    const file = folder.write("ca.key", await encryptPrivateKey(key, "s3cret passphrase"));
    const parsed = run("openssl", ["asn1parse", "-in", file]).stdout;
    expect(parsed).toContain(":PBES2");
    expect(parsed).toContain(":PBKDF2");
    expect(parsed).toContain(":hmacWithSHA256");
    expect(parsed).toContain(":aes-256-cbc");
    expect(parsed).toMatch(/INTEGER\s+:0927C0\n/); // 600,000
    const opened = run("openssl", ["pkey", "-in", file, "-passin", "pass:s3cret passphrase", "-pubout"]);
    expect(opened.status, opened.output).toBe(0);
    expect(createPublicKey(opened.stdout).export({ type: "spki", format: "der" })).toEqual(spkiOf(key));
    expect(run("openssl", ["pkey", "-in", file, "-passin", "pass:wrong", "-noout"]).status).not.toBe(0);
    const gnutls = run("certtool", ["--key-info", "--infile", file, "--password", "s3cret passphrase"]);
    expect(gnutls.status, gnutls.output).toBe(0);
    expect(gnutls.output).toContain("PBES2-AES256-CBC");
  });

  it("decrypts a key that OpenSSL encrypted", async () => {
    const result = run(
      "openssl",
      [
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-aes-256-cbc",
        "-pass",
        "pass:pw",
        "-out",
        "openssl.key",
      ],
      folder.dir,
    );
    expect(result.status, result.output).toBe(0);
    const pem = readFileSync(folder.file("openssl.key"), "utf8");
    const key = await decryptPrivateKey(pem, "pw");
    expect(spkiOf(key)).toEqual(spkiOf(createPrivateKey({ key: pem, passphrase: "pw" })));
    await expect(decryptPrivateKey(pem, "nope")).rejects.toMatchObject({ code: "ca.key_decrypt_failed" });
  });
});
