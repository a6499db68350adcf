/**
 * PEM (RFC 7468) text of DER bytes, 64 characters a line. Use the label the reader expects:
 * "CERTIFICATE", "X509 CRL" (OpenSSL rejects "CRL"), "ENCRYPTED PRIVATE KEY".
 */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER bytes of the first PEM block labelled `label`, or undefined when there is none. */
export function fromPem(pem: string, label: string): Buffer | undefined {
  const begin = `-----BEGIN ${label}-----`;
  const start = pem.indexOf(begin);
  if (start < 0) return undefined;
  const end = pem.indexOf(`-----END ${label}-----`, start + begin.length);
  if (end < 0) return undefined;
  const body = pem.slice(start + begin.length, end).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  return Buffer.from(body, "base64");
}
