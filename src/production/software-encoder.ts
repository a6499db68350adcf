import type { CertificateProfile, Pkcs12Format } from "../domain/card-template.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { CardEncoder, CardWriting, WrittenCard } from "./card-encoder.js";
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
  return {
    begin: async (card) => new SoftwareCardWriting(card.pin, options),
  };
}

// A class, not an object of closures made for each card: see `produce-chunk.ts`.
class SoftwareCardWriting implements CardWriting {
  readonly #pin: string;
  readonly #options: SoftwareEncoderOptions;
  readonly #entries: { privateKeyPkcs8: Buffer; certificate: Buffer; friendlyName: string }[] = [];
  #last: CardKeyPair | undefined;

  constructor(pin: string, options: SoftwareEncoderOptions) {
    this.#pin = pin;
    this.#options = options;
  }

  async generateKeyPair(profile: CertificateProfile): Promise<Buffer> {
    this.#last = generateCardKeyPair(profile.keyAlgorithm);
    return this.#last.publicKeySpki;
  }

  async addCertificate(profile: CertificateProfile, certificate: SignedCertificate): Promise<void> {
    if (!this.#last) throw new Error("a certificate comes after its key pair");
    this.#entries.push({
      privateKeyPkcs8: this.#last.privateKeyPkcs8,
      certificate: Buffer.from(certificate.der),
      friendlyName: profile.name,
    });
    this.#last = undefined;
  }

  async finish(): Promise<WrittenCard> {
    const { caCertificates, iterations, format = "modern" } = this.#options;
    return {
      token: buildPkcs12({ entries: this.#entries, caCertificates, password: this.#pin, iterations, format }),
    };
  }

  async abandon(): Promise<void> {
    this.#entries.length = 0;
  }
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
