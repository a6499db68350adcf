import { openWorkerTokenSigner } from "../pkcs11/token-signer.js";
import {
  type CertificateIssuer,
  createCertificateIssuer,
  createThreadSigner,
  parseCaCertificate,
} from "../pki/index.js";
import type { CardEncoder } from "./card-encoder.js";
import { createCardEncoder } from "./card-encoders.js";
import { bufferOf, type ChunkTemplate, type WorkerInit } from "./chunk-job.js";
import { createPukCipher, type PukCipher } from "./secrets.js";
import { createSoftwareEncoders } from "./software-encoder.js";

/** What a worker makes once from its {@link WorkerInit} and reuses for every card. */
export interface ProductionContext {
  readonly issuer: CertificateIssuer;
  readonly pukCipher: PukCipher;
  /** The encoder a template's configuration names. */
  encoderFor(template: ChunkTemplate): CardEncoder;
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
    signer: init.caToken ? openWorkerTokenSigner(init.caToken) : createThreadSigner(init.caSigningKey!),
    publicBaseUrl: init.publicUrl,
  });
  const software = {
    caCertificates: [ca.certificateDer, ...init.caChain.map(bufferOf)],
    iterations: init.pkcs12Iterations ?? 2048,
  };
  // A worker thread writes software tokens only: chip cards are personalised on a station's
  // main thread, which owns the readers' module and the journal (batches/produce-chip-chunk.ts).
  const softwareEncoderFor = createSoftwareEncoders(software);
  return {
    issuer,
    pukCipher: createPukCipher(Buffer.from(init.pukKey)),
    encoderFor: (template) =>
      template.encoder === "software"
        ? softwareEncoderFor(template)
        : createCardEncoder(template.encoder, software),
  };
}
