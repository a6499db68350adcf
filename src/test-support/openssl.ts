import { execFile } from "node:child_process";

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
