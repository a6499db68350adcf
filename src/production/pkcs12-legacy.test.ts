import { spawnSync } from "node:child_process";
import { createDecipheriv, createHmac, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { children, content, type DerElement, decodeOid, readSmallInteger, readWhole } from "../pki/der.js";
import { makeCaWithOpenssl } from "../test-support/openssl.js";
import { hasTool } from "../test-support/tools.js";
import { derivePkcs12Key, KeyPurpose, sha1Digest } from "./pkcs12-legacy.js";

/**
 * RFC 7292 has no test vectors for its Appendix B key derivation, so the known answers are files
 * OpenSSL writes: if the derivation is right, it decrypts OpenSSL's 3DES bags and reproduces
 * OpenSSL's MAC. (pkcs12.test.ts checks the other direction: OpenSSL reading what we write.)
 */

const password = "482915";

function runOk(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** One DER element and the buffer it was read from. */
interface Node {
  readonly der: Buffer;
  readonly element: DerElement;
}

/** The element at `path` of child indexes below `node`; an OCTET STRING on the way is opened as DER. */
function at(node: Node, ...path: number[]): Node {
  let { der, element } = node;
  for (const index of path) {
    if (element.tag === 0x04) {
      der = content(der, element);
      element = readWhole(der, 0x30);
    }
    element = children(der, element)[index]!;
  }
  return { der, element };
}

const bytesOf = (node: Node) => content(node.der, node.element);

/** The parts of a PFX that `openssl pkcs12 -export -legacy -descert` writes, read with the PKI's DER reader. */
function readLegacyPfx(der: Buffer) {
  const pbeParams = (algorithm: Node) => ({
    oid: decodeOid(bytesOf(at(algorithm, 0))),
    salt: bytesOf(at(algorithm, 1, 0)),
    iterations: readSmallInteger(algorithm.der, at(algorithm, 1, 1).element),
  });
  const pfx = { der, element: readWhole(der, 0x30) };
  const authenticatedSafe = at(pfx, 1, 1, 0);
  // AuthenticatedSafe[0]: EncryptedData of the certificates; [1]: Data with the shrouded key bag.
  const encryptedContentInfo = at(authenticatedSafe, 0, 1, 0, 1);
  const encryptedPrivateKeyInfo = at(authenticatedSafe, 1, 1, 0, 0, 1, 0);
  const macData = at(pfx, 2);
  return {
    authenticatedSafe: bytesOf(authenticatedSafe),
    certificates: {
      ...pbeParams(at(encryptedContentInfo, 1)),
      ciphertext: bytesOf(at(encryptedContentInfo, 2)),
    },
    key: {
      ...pbeParams(at(encryptedPrivateKeyInfo, 0)),
      ciphertext: bytesOf(at(encryptedPrivateKeyInfo, 1)),
    },
    mac: {
      value: bytesOf(at(macData, 0, 1)),
      salt: bytesOf(at(macData, 1)),
      iterations: readSmallInteger(der, at(macData, 2).element),
    },
  };
}

function decrypt3Des(bag: { salt: Buffer; iterations: number; ciphertext: Buffer }): Buffer {
  const key = derivePkcs12Key(sha1Digest, KeyPurpose.encryptionKey, password, bag.salt, bag.iterations, 24);
  const iv = derivePkcs12Key(sha1Digest, KeyPurpose.iv, password, bag.salt, bag.iterations, 8);
  const decipher = createDecipheriv("des-ede3-cbc", key, iv);
  return Buffer.concat([decipher.update(bag.ciphertext), decipher.final()]);
}

describe.runIf(hasTool("openssl", "openssl"))("derivePkcs12Key (RFC 7292 Appendix B)", () => {
  let dir: string;
  let keyDer: Buffer;
  let certificateDer: Buffer;
  let pfx: ReturnType<typeof readLegacyPfx>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-pkcs12-kdf-"));
    const { pem: certificate, key } = makeCaWithOpenssl(
      dir,
      "certificate",
      ["-subj", "/CN=Appendix B", "-days", "2"],
      ["-newkey", "rsa:2048"],
    );
    const file = path.join(dir, "openssl-legacy.p12");
    runOk("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", key, "-outform", "DER", "-out", `${key}.der`]);
    keyDer = readFileSync(`${key}.der`);
    certificateDer = new X509Certificate(readFileSync(certificate)).raw;
    // -descert: the certificates in 3DES too (plain -legacy uses RC2-40, which Node's OpenSSL 3 lacks).
    runOk("openssl", [
      "pkcs12",
      "-export",
      "-legacy",
      "-descert",
      "-inkey",
      key,
      "-in",
      certificate,
      "-passout",
      `pass:${password}`,
      "-out",
      file,
    ]);
    pfx = readLegacyPfx(readFileSync(file));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("decrypts OpenSSL's pbeWithSHAAnd3-KeyTripleDES-CBC key bag to the key it was given", () => {
    expect(pfx.key.oid).toBe("1.2.840.113549.1.12.1.3");
    // A 24-byte key from 20-byte SHA-1 blocks: the second block depends on step 6 being right.
    expect(decrypt3Des(pfx.key)).toEqual(keyDer);
  });

  it("decrypts OpenSSL's 3DES certificate SafeContents, with its own salt", () => {
    expect(pfx.certificates.oid).toBe("1.2.840.113549.1.12.1.3");
    expect(pfx.certificates.salt).not.toEqual(pfx.key.salt);
    const safeContents = decrypt3Des(pfx.certificates);
    expect(safeContents.includes(certificateDer)).toBe(true);
  });

  it("reproduces OpenSSL's HMAC-SHA1 MAC (ID 3) and not with another PIN", () => {
    const mac = (pin: string) =>
      createHmac(
        "sha1",
        derivePkcs12Key(sha1Digest, KeyPurpose.macKey, pin, pfx.mac.salt, pfx.mac.iterations, 20),
      )
        .update(pfx.authenticatedSafe)
        .digest();
    expect(mac(password)).toEqual(pfx.mac.value);
    expect(mac("482916")).not.toEqual(pfx.mac.value);
  });
});
