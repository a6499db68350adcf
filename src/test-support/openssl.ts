import { execFile } from "node:child_process";

/**
 * Asks the OCSP responder at `responderUrl` about the certificate in `certFile` with
 * `openssl ocsp`, checking the answer against `caFile`, and resolves with all OpenSSL printed
 * (its verdict, or why it failed). Asynchronously: the responder answering it may run in this
 * very process. `certIdOptions` stand before `-cert`, where OpenSSL takes the CertID's hash from.
 */
export function askOcsp(request: {
  caFile: string;
  certFile: string;
  responderUrl: string;
  certIdOptions?: string[];
}): Promise<string> {
  const { caFile, certFile, responderUrl, certIdOptions = [] } = request;
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
      ],
      { encoding: "utf8", timeout: 20_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}
