import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ecPointOf } from "./on-token-public-key.js";

describe("ecPointOf", () => {
  // The uncompressed point (SEC 1 §2.3.3) of a fresh P-256 key, from its JWK coordinates.
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, "base64url"),
    Buffer.from(jwk.y!, "base64url"),
  ]);

  it("unwraps CKA_EC_POINT given as a DER OCTET STRING (SoftHSM) and takes a bare point as it is", () => {
    expect(ecPointOf(Buffer.concat([Buffer.from([0x04, 0x41]), point]), "P-256")).toEqual(point);
    expect(ecPointOf(point, "P-256")).toEqual(point);
  });

  it("refuses anything else as malformed DER", () => {
    expect(() => ecPointOf(point.subarray(1), "P-256")).toThrow(
      expect.objectContaining({ code: "der.malformed" }),
    );
  });
});
