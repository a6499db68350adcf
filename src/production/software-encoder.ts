import type { CardEncoder } from "./card-encoder.js";
import { type CardKeyPair, generateCardKeyPair } from "./card-keys.js";
import { buildPkcs12 } from "./pkcs12.js";

export interface SoftwareEncoderOptions {
  /** The CA certificate first, then those above it (DER). */
  readonly caCertificates: readonly Buffer[];
  /** PBKDF2 and MAC iterations of the PKCS#12 protection. */
  readonly iterations: number;
}

/** The software card: a PKCS#12 file with the keys, their certificates and the CA chain, behind the PIN. */
export function createSoftwareEncoder(options: SoftwareEncoderOptions): CardEncoder {
  const { caCertificates, iterations } = options;
  return {
    async begin(card) {
      const entries: { privateKeyPkcs8: Buffer; certificate: Buffer; friendlyName: string }[] = [];
      let last: CardKeyPair | undefined;
      return {
        async generateKeyPair(profile) {
          last = generateCardKeyPair(profile.keyAlgorithm);
          return last.publicKeySpki;
        },
        async addCertificate(profile, certificate) {
          if (!last) throw new Error("a certificate comes after its key pair");
          entries.push({
            privateKeyPkcs8: last.privateKeyPkcs8,
            certificate: Buffer.from(certificate.der),
            friendlyName: profile.name,
          });
          last = undefined;
        },
        async finish() {
          return { token: buildPkcs12({ entries, caCertificates, password: card.pin, iterations }) };
        },
        async abandon() {
          entries.length = 0;
        },
      };
    },
  };
}
