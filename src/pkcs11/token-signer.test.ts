import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toPem } from "../pki/index.js";
import { createScratchFolder } from "../test-support/files.js";
import {
  type BlankCardReader,
  createBlankCardReader,
  hasSoftHsm,
  softHsmModule,
  transportUserPin,
} from "../test-support/softhsm.js";
import { loadPkcs11Module, type Pkcs11Module } from "./pkcs11-module.js";
import { createTokenSigner, generateTokenCaKey, type TokenSigner } from "./token-signer.js";

/** The token signer alone, its signatures judged by `openssl dgst -verify` with the public key it reports. */
describe.skipIf(!hasSoftHsm())("a signer over a key in a PKCS#11 token (SoftHSM)", () => {
  const { file } = createScratchFolder("tessera-token-signer-");
  let reader: BlankCardReader;
  let module: Pkcs11Module;
  const signers: TokenSigner[] = [];

  beforeAll(() => {
    reader = createBlankCardReader(0);
    reader.addCard("signer");
    module = loadPkcs11Module(softHsmModule);
  });
  afterAll(async () => {
    for (const signer of signers) await signer.close();
    module?.close();
    reader?.remove();
  });

  const open = async (keyAlgorithm: "P-384" | "RSA-3072") => {
    const { keyId } = await generateTokenCaKey(module, {
      tokenLabel: "signer",
      pin: transportUserPin,
      keyAlgorithm,
      label: `test ${keyAlgorithm}`,
    });
    const signer = createTokenSigner(module, { tokenLabel: "signer", pin: transportUserPin, keyId });
    signers.push(signer);
    return signer;
  };
  const opensslVerifies = (signer: TokenSigner, data: Buffer, signature: Buffer, name: string) => {
    const hash = signer.keyAlgorithm === "P-384" ? "-sha384" : "-sha256";
    const result = spawnSync(
      "openssl",
      [
        "dgst",
        hash,
        "-verify",
        file(`${name}.pub.pem`, toPem(signer.publicKey, "PUBLIC KEY")),
        "-signature",
        file(`${name}.sig`, signature),
        file(`${name}.data`, data),
      ],
      { encoding: "utf8" },
    );
    return `${result.stdout}${result.stderr}`.trim();
  };

  it.each(["P-384", "RSA-3072"] as const)(
    "signs %s: concurrent calls take turns on the session, and each signature verifies",
    async (keyAlgorithm) => {
      const signer = await open(keyAlgorithm);
      expect(signer.keyAlgorithm).toBe(keyAlgorithm);
      expect(createPublicKey({ key: signer.publicKey, format: "der", type: "spki" }).asymmetricKeyType).toBe(
        keyAlgorithm === "P-384" ? "ec" : "rsa",
      );
      const messages = Array.from({ length: 8 }, (_, i) => Buffer.from(`to be signed ${i} ${keyAlgorithm}`));
      const signatures = await Promise.all(messages.map((message) => signer.sign(message)));
      for (const [i, signature] of signatures.entries())
        expect(opensslVerifies(signer, messages[i]!, signature, `${keyAlgorithm}-${i}`)).toBe("Verified OK");
    },
  );

  it("opens its session again when the module was re-initialised under it", async () => {
    const signer = await open("P-384");
    module.reinitialise();
    const data = Buffer.from("after the module was re-initialised");
    expect(opensslVerifies(signer, data, await signer.sign(data), "reopened")).toBe("Verified OK");
  });

  it("refuses to sign once closed", async () => {
    const signer = await open("P-384");
    await signer.close();
    await expect(signer.sign(Buffer.from("late"))).rejects.toThrow(/closed/);
  });
});
