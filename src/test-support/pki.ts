import type { CertificateAuthority } from "../ca/certificate-authority.js";
import { type CertificateOrder, recordCertificates, signCertificates } from "../ca/issue-certificates.js";
import { type CertificateIssuer, createCertificateIssuer } from "../pki/certificate-issuer.js";
import {
  type CommandResult,
  createTestCa,
  type createWorkFolder,
  run,
  type TestCa,
} from "../pki/test-kit.js";
import type { Db } from "../store/database.js";
import type { TestApp } from "./test-app.js";

/**
 * A fresh test CA and an issuer signing with it for `publicBaseUrl`, the CA certificate written
 * as `ca.pem` in `folder` for OpenSSL and GnuTLS to check against.
 */
export async function createTestIssuer(
  folder: ReturnType<typeof createWorkFolder>,
  publicBaseUrl = "https://id.example.org",
): Promise<{ testCa: TestCa; issuer: CertificateIssuer }> {
  const testCa = await createTestCa();
  const issuer = createCertificateIssuer({ ca: testCa.ca, signer: testCa.signer, publicBaseUrl });
  folder.writePem("ca.pem", testCa.certificateDer, "CERTIFICATE");
  return { testCa, issuer };
}

/**
 * Signs certificates and records them in the caller's transaction, as production does (signed by
 * `issueCertificate`, recorded by `recordCertificates`); returns what was recorded.
 */
export async function issueCertificates(
  trx: Db,
  ca: CertificateAuthority,
  orders: readonly CertificateOrder[],
  at: string,
): Promise<{ serial: string; profile: string; der: Buffer }[]> {
  const signed = await signCertificates(ca, orders);
  await recordCertificates(trx, signed, at);
  return signed.map(({ certificate }) => ({
    serial: certificate.serial,
    profile: certificate.profile,
    der: Buffer.from(certificate.der),
  }));
}

/**
 * Issues one certificate without a card, straight through the CA as a card process would,
 * valid for a year from the app's clock.
 */
export async function issueCardlessCertificate(
  t: TestApp,
  request: Pick<CertificateOrder, "profile" | "subject" | "publicKey" | "initialState">,
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

/**
 * GnuTLS's verdict on `file`, a certificate or a CRL, as signed by the CA certificate in
 * `caFile`: `Verified.` in its output and status 0, or why not. A certificate is judged by
 * GnuTLS's "medium" profile, as a relying party would.
 */
export function verifyWithGnutls(kind: "certificate" | "crl", caFile: string, file: string): CommandResult {
  const check = kind === "certificate" ? ["--verify", "--verify-profile=medium"] : ["--verify-crl"];
  return run("certtool", [...check, "--load-ca-certificate", caFile, "--infile", file]);
}

/**
 * The settings `tessera ca import` and the CA's loading take from the configuration of `t`'s
 * Tessera (the name is for a new CA only: unused).
 */
export function caSettingsOf(t: TestApp) {
  return {
    name: "unused",
    validityYears: 10,
    publicUrl: t.app.config.publicUrl,
    keyPassphrase: t.app.config.secrets.caKeyPassphrase,
  };
}
