import { issueCertificates } from "../ca/issue-certificates.js";
import { type CertificateIssuer, createCertificateIssuer } from "../pki/certificate-issuer.js";
import { createTestCa, type createWorkFolder, type TestCa } from "../pki/test-kit.js";
import type { TestApp } from "./test-app.js";

/**
 * A fresh test CA and an issuer signing with it, the CA certificate written as `ca.pem` in
 * `folder` for OpenSSL and GnuTLS to check against.
 */
export async function createTestIssuer(
  folder: ReturnType<typeof createWorkFolder>,
): Promise<{ testCa: TestCa; issuer: CertificateIssuer }> {
  const testCa = await createTestCa();
  const issuer = createCertificateIssuer({
    ca: testCa.ca,
    signer: testCa.signer,
    publicBaseUrl: "https://id.example.org",
  });
  folder.writePem("ca.pem", testCa.certificateDer, "CERTIFICATE");
  return { testCa, issuer };
}

type CertificateRequest = Parameters<typeof issueCertificates>[2][number];

/**
 * Issues one certificate without a card, straight through the CA as a card process would,
 * valid for a year from the app's clock.
 */
export async function issueCardlessCertificate(
  t: TestApp,
  request: Pick<CertificateRequest, "profile" | "subject" | "publicKey" | "initialState">,
) {
  const now = t.clock();
  const [certificate] = await t.app.services.store.db
    .transaction()
    .execute((trx) =>
      issueCertificates(
        trx,
        t.app.services.ca,
        [{ ...request, cardId: null, notBefore: now, notAfter: new Date(now.getTime() + 365 * 86400_000) }],
        now.toISOString(),
      ),
    );
  return certificate!;
}
