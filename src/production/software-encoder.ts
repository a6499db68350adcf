import type { CardEncoder } from "./card-encoder.js";
import { generateCardKeyPair } from "./card-keys.js";
import { buildPkcs12 } from "./pkcs12.js";

export interface SoftwareEncoderOptions {
  /** The CA certificate first, then those above it (DER). */
  readonly caCertificates: readonly Buffer[];
  /** PBKDF2 and MAC iterations of the PKCS#12 protection. */
  readonly iterations: number;
}

/** The software card: a PKCS#12 file with the keys, their certificates and the CA chain. */
export function createSoftwareEncoder(options: SoftwareEncoderOptions): CardEncoder {
  const { caCertificates, iterations } = options;
  return {
    generateKeyPair: (profile) => generateCardKeyPair(profile.keyAlgorithm),
    finishToken: (entries, pin) =>
      buildPkcs12({
        entries: entries.map((entry) => ({
          privateKeyPkcs8: entry.keyPair.privateKeyPkcs8,
          certificate: entry.certificate,
          friendlyName: entry.friendlyName,
        })),
        caCertificates,
        password: pin,
        iterations,
      }),
  };
}
