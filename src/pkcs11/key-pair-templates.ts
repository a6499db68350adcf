import pkcs11js from "pkcs11js";
import type { CertificateProfile, KeyAlgorithm } from "../domain/card-template.js";
import { oid } from "../pki/der.js";
import { keyUsageFor } from "../pki/key-usage.js";
import { KeyUsageBit } from "../pki/x509-extensions.js";

/** What a key on a card may do, in PKCS#11 terms. */
export interface KeyUsages {
  /** CKA_SIGN on the private key, CKA_VERIFY on the public one. */
  readonly sign: boolean;
  /** CKA_DECRYPT and CKA_UNWRAP; CKA_ENCRYPT and CKA_WRAP. */
  readonly decrypt: boolean;
  /** CKA_DERIVE (ECDH). */
  readonly derive: boolean;
}

/**
 * The usages of a profile's key, read from the keyUsage its certificate will carry
 * (pki/certificate-profiles.ts), so the card allows exactly what the certificate says.
 */
export function keyUsagesOf(profile: CertificateProfile): KeyUsages {
  const bits = keyUsageFor(profile.kind, profile.keyAlgorithm);
  return {
    sign: bits.includes(KeyUsageBit.digitalSignature) || bits.includes(KeyUsageBit.nonRepudiation),
    decrypt: bits.includes(KeyUsageBit.keyEncipherment),
    derive: bits.includes(KeyUsageBit.keyAgreement),
  };
}

/** The named curve of an EC key algorithm (RFC 5480 §2.1.1.1: secp256r1, secp384r1); none for RSA. */
export const curveOids: Readonly<Partial<Record<KeyAlgorithm, string>>> = {
  "P-256": "1.2.840.10045.3.1.7",
  "P-384": "1.3.132.0.34",
};

const modulusBits: Readonly<Partial<Record<KeyAlgorithm, number>>> = { "RSA-2048": 2048, "RSA-3072": 3072 };

/** The attributes of a key pair to generate on a card, and the mechanism that generates it. */
export interface KeyPairTemplates {
  readonly mechanism: pkcs11js.Mechanism;
  readonly publicKey: pkcs11js.Template;
  readonly privateKey: pkcs11js.Template;
}

/**
 * The templates for a profile's key pair. Every usage attribute is said explicitly, true or
 * false: SoftHSM's defaults allow a signing key to decrypt and derive (DEPENDENCIES.md). The
 * private key is sensitive and never extractable, so it cannot leave the card. CKA_ID is set
 * after generation, from the public key.
 */
export function keyPairTemplates(profile: CertificateProfile, label: string): KeyPairTemplates {
  return keyPairTemplatesFor(profile.keyAlgorithm, keyUsagesOf(profile), label);
}

/**
 * The templates for a key pair of `keyAlgorithm` allowed exactly `usages`: for a key that no
 * certificate profile describes, such as a CA key in a token (sign only).
 */
export function keyPairTemplatesFor(
  keyAlgorithm: KeyAlgorithm,
  usages: KeyUsages,
  label: string,
): KeyPairTemplates {
  const common: pkcs11js.Template = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_DERIVE, value: usages.derive },
  ];
  const publicKey: pkcs11js.Template = [
    ...common,
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_VERIFY, value: usages.sign },
    { type: pkcs11js.CKA_VERIFY_RECOVER, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: usages.decrypt },
    { type: pkcs11js.CKA_WRAP, value: usages.decrypt },
  ];
  const privateKey: pkcs11js.Template = [
    ...common,
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: usages.sign },
    { type: pkcs11js.CKA_SIGN_RECOVER, value: false },
    { type: pkcs11js.CKA_DECRYPT, value: usages.decrypt },
    { type: pkcs11js.CKA_UNWRAP, value: usages.decrypt },
  ];
  const curve = curveOids[keyAlgorithm];
  if (curve)
    return {
      mechanism: { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      publicKey: [...publicKey, { type: pkcs11js.CKA_EC_PARAMS, value: oid(curve) }],
      privateKey,
    };
  return {
    mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
    publicKey: [
      ...publicKey,
      { type: pkcs11js.CKA_MODULUS_BITS, value: modulusBits[keyAlgorithm]! },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ],
    privateKey,
  };
}
