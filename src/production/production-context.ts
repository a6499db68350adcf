import {
  type CertificateIssuer,
  createCertificateIssuer,
  createThreadSigner,
  parseCaCertificate,
} from "../pki/index.js";
import type { CardEncoder } from "./card-encoder.js";
import { createCardEncoder, type EncoderKind } from "./card-encoders.js";
import { bufferOf, type WorkerInit } from "./chunk-job.js";
import { createPukCipher, type PukCipher } from "./secrets.js";

/** What a worker makes once from its {@link WorkerInit} and reuses for every card. */
export interface ProductionContext {
  readonly issuer: CertificateIssuer;
  readonly pukCipher: PukCipher;
  /** The encoder a template's configuration names, made once per kind. */
  encoderFor(kind: EncoderKind): CardEncoder;
}

/**
 * Builds the issuer over the CA's signing key (a key the thread can sign with, never export),
 * the PUK cipher and the encoders.
 *
 * @throws TesseraError `ca.certificate_invalid`, `ca.key_unsupported`, `ca.key_mismatch`,
 * `ca.public_url_invalid`, `production.puk_key_invalid`.
 */
export function createProductionContext(init: WorkerInit): ProductionContext {
  const ca = parseCaCertificate(bufferOf(init.caCertificate));
  const issuer = createCertificateIssuer({
    ca,
    signer: createThreadSigner(init.caSigningKey),
    publicBaseUrl: init.publicUrl,
  });
  const software = {
    caCertificates: [ca.certificateDer, ...init.caChain.map(bufferOf)],
    iterations: init.pkcs12Iterations ?? 2048,
  };
  const encoders = new Map<EncoderKind, CardEncoder>();
  return {
    issuer,
    pukCipher: createPukCipher(Buffer.from(init.pukKey)),
    encoderFor(kind) {
      let encoder = encoders.get(kind);
      if (!encoder) {
        encoder = createCardEncoder(kind, software);
        encoders.set(kind, encoder);
      }
      return encoder;
    },
  };
}
