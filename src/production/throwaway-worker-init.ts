import { createPrivateKey, randomBytes } from "node:crypto";
import { createCaCertificate, createKeySigner, toNonExtractableKey } from "../pki/index.js";
import { generateCaKeyDer } from "./card-keys.js";
import type { WorkerInit } from "./chunk-job.js";

/**
 * A worker init whose CA is made on the spot: a fresh P-384 CA named `subjectName`, valid from
 * an hour ago for ten years, and a random PUK key. For cards nobody keeps: the chunk benchmark
 * and the chunk and pool tests. A batch never runs on it; its init carries the deployment's CA.
 */
export async function createThrowawayWorkerInit(
  subjectName: string,
): Promise<WorkerInit & { caCertificate: Buffer; pukKey: Buffer }> {
  const caKey = createPrivateKey({ key: generateCaKeyDer(), format: "der", type: "pkcs8" });
  const caCertificate = await createCaCertificate({
    subjectName,
    signer: createKeySigner(caKey),
    notBefore: new Date(Date.now() - 3_600_000),
  });
  return {
    caCertificate,
    caSigningKey: await toNonExtractableKey(caKey),
    caChain: [],
    publicUrl: "https://id.example.org",
    pukKey: randomBytes(32),
  };
}
