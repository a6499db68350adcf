import type { KeyAlgorithm, ProfileKind } from "../domain/card-template.js";
import { KeyUsageBit } from "./x509-extensions.js";

const isEc = (keyAlgorithm: KeyAlgorithm): boolean => keyAlgorithm === "P-256" || keyAlgorithm === "P-384";

/**
 * The keyUsage bits of a profile kind for a key algorithm (RFC 5280 §4.2.1.3). A module of its
 * own, without the templates' schemas: a card reader's thread, which loads it to mark the key
 * pairs it makes, starts in half the time without them.
 */
export function keyUsageFor(kind: ProfileKind, keyAlgorithm: KeyAlgorithm): number[] {
  switch (kind) {
    case "authentication":
      return [KeyUsageBit.digitalSignature];
    case "signature":
      return [KeyUsageBit.nonRepudiation];
    case "encryption":
      // An RSA key wraps content keys; an EC key agrees on them (ECDH, RFC 5480 §3).
      return [isEc(keyAlgorithm) ? KeyUsageBit.keyAgreement : KeyUsageBit.keyEncipherment];
  }
}
