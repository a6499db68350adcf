import { execFile, execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Asks the OCSP responder at `responderUrl` about the certificate in `certFile` with
 * `openssl ocsp`, checking the answer against `caFile`, and resolves with all OpenSSL printed
 * (its verdict, or why it failed). Asynchronously: the responder answering it may run in this
 * very process. `certIdOptions` stand before `-cert`, where OpenSSL takes the CertID's hash from.
 * With `responseFile`, the DER answer is also written there, for another relying party to judge.
 */
export function askOcsp(request: {
  caFile: string;
  certFile: string;
  responderUrl: string;
  certIdOptions?: string[];
  responseFile?: string;
}): Promise<string> {
  const { caFile, certFile, responderUrl, certIdOptions = [], responseFile } = request;
  return new Promise((resolve) => {
    execFile(
      "openssl",
      [
        "ocsp",
        "-issuer",
        caFile,
        "-CAfile",
        caFile,
        ...certIdOptions,
        "-cert",
        certFile,
        "-url",
        responderUrl,
        "-resp_text",
        ...(responseFile ? ["-respout", responseFile] : []),
      ],
      { encoding: "utf8", timeout: 20_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

/**
 * A self-signed certificate made by `openssl req -x509` in `dir`, as an office's own PKI makes its
 * CA: `name.pem` and its unencrypted key `name.key`, with `options` (subject, validity,
 * extensions) on the command line, its key a new P-256 one unless `newKey` says which. Returns the
 * two paths; OpenSSL's refusal throws.
 */
export function makeCaWithOpenssl(
  dir: string,
  name: string,
  options: string[],
  newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
): { pem: string; key: string } {
  const pem = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", ...newKey, "-nodes", "-keyout", key, "-out", pem, ...options], {
    stdio: "pipe",
  });
  return { pem, key };
}
