/**
 * The error codes of the PKI library, each with its HTTP status and a sentence for people.
 *
 * These are to be merged into the catalog of `domain/errors.ts`; until then the library throws
 * {@link PkiError}, which carries the same code, status and message. A 500 here marks a bug or
 * a broken configuration in the caller, never bad input from a person.
 */
export const pkiErrorCatalog = {
  "certificate.public_key_invalid": {
    status: 400,
    message: "The public key is not a valid DER SubjectPublicKeyInfo.",
  },
  "certificate.public_key_mismatch": {
    status: 400,
    message: "The public key does not have the algorithm and size the certificate profile requires.",
  },
  "certificate.subject_too_long": {
    status: 400,
    message: "A subject field is longer than X.520 allows (64 characters; 255 for an e-mail address).",
  },
  "certificate.subject_invalid": {
    status: 400,
    message: "A subject field is empty or holds characters it may not hold.",
  },
  "certificate.email_invalid": {
    status: 400,
    message: "The e-mail address is not a plain ASCII address of the form local@domain.",
  },
  "certificate.validity_invalid": {
    status: 400,
    message: "The certificate would end before it starts (its end is limited to the CA's end of validity).",
  },
  "certificate.serial_invalid": {
    status: 500,
    message: "The serial number must be 1 to 20 bytes, positive, with a non-zero first byte.",
  },
  "ca.subject_invalid": {
    status: 400,
    message:
      "The CA name is not a distinguished name Tessera can write (for example CN=Tessera CA,O=Example).",
  },
  "ca.certificate_invalid": {
    status: 400,
    message: "The CA certificate cannot be read as a DER or PEM X.509 certificate.",
  },
  "ca.not_a_ca": {
    status: 400,
    message: "The certificate is not a CA certificate that may sign certificates and CRLs.",
  },
  "ca.key_mismatch": { status: 400, message: "The CA certificate does not belong to the private key." },
  "ca.key_unsupported": {
    status: 400,
    message: "The key is not ECDSA P-256 or P-384 or RSA with a 2048- or 3072-bit modulus.",
  },
  "ca.key_decrypt_failed": {
    status: 400,
    message: "The encrypted private key cannot be decrypted: wrong passphrase or damaged file.",
  },
  "ca.expired": {
    status: 409,
    message: "The CA certificate has expired: it can issue no more certificates.",
  },
  "ca.public_url_invalid": {
    status: 500,
    message: "The public base URL must be an absolute http or https URL without query or fragment.",
  },
  "crl.entry_invalid": {
    status: 500,
    message: "A CRL entry has a bad serial number, a duplicate serial number or a bad date.",
  },
  "crl.number_invalid": {
    status: 500,
    message: "The CRL number must be a non-negative integer of at most 20 bytes.",
  },
  "crl.dates_invalid": { status: 500, message: "The CRL's nextUpdate must be later than its thisUpdate." },
} as const satisfies Record<string, { status: number; message: string }>;

export type PkiErrorCode = keyof typeof pkiErrorCatalog;

/** The error the PKI library throws for input it refuses; `details` names the field when one is at fault. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: PkiErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? pkiErrorCatalog[code].message);
    this.name = "PkiError";
    this.code = code;
    this.status = pkiErrorCatalog[code].status;
    this.details = details;
  }
}

export function isPkiError(error: unknown): error is PkiError {
  return error instanceof PkiError;
}
