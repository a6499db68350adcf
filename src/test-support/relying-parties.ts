import { fileURLToPath } from "node:url";
import { type CommandResult, run } from "../pki/test-kit.js";
import { hasTool } from "./tools.js";

/**
 * Relying parties beside OpenSSL and GnuTLS that judge what the CA signs: Java's PKIX validator
 * and Heimdal's hxtool. No one here wrote them, so their verdicts are the oracle.
 */

/** Whether Java (its source launcher) and Heimdal's hxtool are here. */
export function hasJavaAndHeimdal(): boolean {
  return hasTool("java", "default-jre-headless") && hasTool("hxtool", "heimdal-clients");
}

const pkixCheck = fileURLToPath(new URL("./PkixCheck.java", import.meta.url));

/**
 * Java's PKIX verdict (RFC 5280 §6, revocation from `crlFile` only) on each certificate file at
 * `at`: `"valid"`, or `"refused: REASON: message"` (`REVOKED` for a held or revoked one).
 * One JVM judges them all: it takes about a second to start.
 */
export function verifyWithJava(
  caFile: string,
  crlFile: string,
  at: Date,
  certFiles: readonly string[],
): Record<string, string> {
  const result = run("java", [
    pkixCheck,
    caFile,
    crlFile,
    String(Math.floor(at.getTime() / 1000)),
    ...certFiles,
  ]);
  if (result.status !== 0) throw new Error(`PkixCheck.java failed: ${result.output}`);
  const verdicts: Record<string, string> = {};
  for (const line of result.stdout.trim().split("\n")) {
    const [file, ...verdict] = line.split(": ");
    verdicts[file!] = verdict.join(": ");
  }
  return verdicts;
}

/**
 * Heimdal's verdict (`hxtool verify`) on `certFile` under the anchor `caFile`, with the CRL and
 * the OCSP answer given as its revocation information: status 0 and `path ok`, or why not.
 * Heimdal needs one of them unless `missingRevocation` says none is there.
 */
export function verifyWithHeimdal(check: {
  caFile: string;
  certFile: string;
  crlFile?: string;
  ocspFile?: string;
  missingRevocation?: boolean;
}): CommandResult {
  return run("hxtool", [
    "verify",
    ...(check.missingRevocation ? ["--missing-revoke"] : []),
    `cert:FILE:${check.certFile}`,
    `anchor:FILE:${check.caFile}`,
    ...(check.crlFile ? [`crl:FILE:${check.crlFile}`] : []),
    ...(check.ocspFile ? [`ocsp:FILE:${check.ocspFile}`] : []),
  ]);
}

/**
 * GnuTLS's verdict on `certFile` under `caFile` with the CRL in `crlFile` (PEM) loaded: a held
 * or revoked certificate is then not trusted. Judged by GnuTLS's "medium" profile.
 */
export function verifyWithGnutlsAndCrl(caFile: string, crlFile: string, certFile: string): CommandResult {
  return run("certtool", [
    "--verify",
    "--verify-profile=medium",
    "--load-ca-certificate",
    caFile,
    "--load-crl",
    crlFile,
    "--infile",
    certFile,
  ]);
}
