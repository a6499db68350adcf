import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateCardKeyPair } from "./card-keys.js";

describe("generateCardKeyPair", () => {
  it.each([
    ["P-256", 400],
    ["P-384", 200],
  ] as const)(
    "writes %s keys exactly as OpenSSL does, leading zero bytes included",
    (keyAlgorithm, count) => {
      for (let i = 0; i < count; i++) {
        const { publicKeySpki, privateKeyPkcs8 } = generateCardKeyPair(keyAlgorithm);
        const privateKey = createPrivateKey({ key: privateKeyPkcs8, format: "der", type: "pkcs8" });
        expect(privateKey.export({ type: "pkcs8", format: "der" }).equals(privateKeyPkcs8)).toBe(true);
        expect(
          createPublicKey(privateKey).export({ type: "spki", format: "der" }).equals(publicKeySpki),
        ).toBe(true);
        expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(
          keyAlgorithm === "P-256" ? "prime256v1" : "secp384r1",
        );
      }
    },
  );

  it("makes RSA-2048 key pairs that sign and verify", () => {
    const { publicKeySpki, privateKeyPkcs8 } = generateCardKeyPair("RSA-2048");
    const privateKey = createPrivateKey({ key: privateKeyPkcs8, format: "der", type: "pkcs8" });
    const publicKey = createPublicKey({ key: publicKeySpki, format: "der", type: "spki" });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const signature = sign("sha256", Buffer.from("card"), privateKey);
    expect(verify("sha256", Buffer.from("card"), publicKey, signature)).toBe(true);
  });
});
