import type { Pkcs12Format } from "../domain/card-template.js";
import type { CardEncoder } from "./card-encoder.js";
import { type CardKeyPair, generateCardKeyPair } from "./card-keys.js";
import { buildPkcs12 } from "./pkcs12.js";

export interface SoftwareEncoderOptions {
  /** The CA certificate first, then those above it (DER). */
  readonly caCertificates: readonly Buffer[];
  /** Key derivation and MAC iterations of the PKCS#12 protection. */
  readonly iterations: number;
  /** How the PKCS#12 file is protected (the template's `pkcs12Format`); `modern` when absent. */
  readonly format?: Pkcs12Format;
}

/** The software card: a PKCS#12 file with the keys, their certificates and the CA chain, behind the PIN. */
export function createSoftwareEncoder(options: SoftwareEncoderOptions): CardEncoder {
  const { caCertificates, iterations, format = "modern" } = options;
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
          return { token: buildPkcs12({ entries, caCertificates, password: card.pin, iterations, format }) };
        },
        async abandon() {
          entries.length = 0;
        },
      };
    },
  };
}

/**
 * One software encoder per PKCS#12 format, built once (a worker keeps them for every card), and
 * the pick for a template: its `pkcs12Format`, `modern` when it names none.
 */
export function createSoftwareEncoders(
  options: Omit<SoftwareEncoderOptions, "format">,
): (template: { readonly pkcs12Format?: Pkcs12Format | undefined }) => CardEncoder {
  const encoders: Record<Pkcs12Format, CardEncoder> = {
    modern: createSoftwareEncoder({ ...options, format: "modern" }),
    legacy: createSoftwareEncoder({ ...options, format: "legacy" }),
  };
  return (template) => encoders[template.pkcs12Format ?? "modern"];
}
