import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createCaCertificate, parseCaCertificate } from "../pki/ca-certificate.js";
import { createCertificateIssuer, type IssueRequest } from "../pki/certificate-issuer.js";
import type { CertificateSubject } from "../pki/certificate-profiles.js";
import { buildCrl, type CrlEntry } from "../pki/crl.js";
import { createKeySigner, generateCaKey, spkiOf } from "../pki/signer.js";
import { newSerial } from "../pki/x509-certificate.js";
import { rate } from "./measure.js";

/** What {@link benchCa} measured (one process, no database). */
export interface CaBenchResult {
  /** Bare `crypto.sign("sha384")` with the P-384 CA key over a certificate-sized TBS, one at a time. */
  readonly bareSignPerSecond: number;
  /** Full issuance through the library (checks, encoding, signature), awaited one at a time. */
  readonly issuePerSecond: number;
  /** The same with several issuances in flight: signatures run on libuv's thread pool. */
  readonly issueConcurrentPerSecond: number;
  /** Building and signing a CRL of 100,000 entries. */
  readonly crlMsAt100k: number;
}

/** The holder every benchmark certificate is issued to: every subject field filled in. */
export const benchHolder: CertificateSubject = {
  commonName: "Benchmark Holder",
  organization: "Tessera",
  organizationalUnit: "Bench",
  serialNumber: "BENCH-0001",
  email: "holder@example.org",
  upn: "holder@corp.example.org",
};

/**
 * Measures the CA: a P-384 CA issuing authentication certificates for one P-256 holder key
 * (key generation is the card's work, not the CA's), and a 100,000-entry CRL. `seconds` is the
 * time given to each of the three rate measurements.
 */
export async function benchCa({ seconds = 2 }: { seconds?: number } = {}): Promise<CaBenchResult> {
  const caKey = generateCaKey();
  const signer = createKeySigner(caKey);
  const caDer = await createCaCertificate({
    subjectName: "CN=Bench CA,O=Tessera",
    signer,
    notBefore: new Date(),
  });
  const ca = parseCaCertificate(caDer);
  const issuer = createCertificateIssuer({ ca, signer, publicBaseUrl: "https://id.example.org" });
  const holderKey = spkiOf(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
  const now = Date.now();
  const request = (): IssueRequest => ({
    serial: newSerial(),
    profile: { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" },
    subject: benchHolder,
    publicKey: holderKey,
    notBefore: new Date(now),
    notAfter: new Date(now + 365 * 86_400_000),
  });

  const sample = await issuer.issue(request());
  const tbsSized = randomBytes(sample.length - 110);
  const bareSignPerSecond = await rate(seconds, 1, () => sign("sha384", tbsSized, caKey));
  const issuePerSecond = await rate(seconds, 1, () => issuer.issue(request()));
  const issueConcurrentPerSecond = await rate(seconds, 8, () => issuer.issue(request()));

  const revokedAt = new Date(now - 3_600_000);
  const entries: CrlEntry[] = Array.from({ length: 100_000 }, (_, i) => ({
    serial: newSerial(),
    revokedAt,
    reason: i % 2 === 0 ? "certificateHold" : "keyCompromise",
  }));
  const started = performance.now();
  await buildCrl({
    ca,
    signer,
    crlNumber: 1n,
    thisUpdate: new Date(now),
    nextUpdate: new Date(now + 86_400_000),
    entries,
  });
  const crlMsAt100k = Math.round(performance.now() - started);

  return { bareSignPerSecond, issuePerSecond, issueConcurrentPerSecond, crlMsAt100k };
}
