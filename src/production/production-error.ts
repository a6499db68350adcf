/**
 * Errors of the card-production library.
 *
 * Production runs inside the batch runner, far from HTTP: these errors become a card's
 * `failed` reason or a bug report, so each has a stable dotted code and a sentence for people,
 * in the shape of `domain/errors.ts` so the lead can merge the codes into its catalog.
 */
export const productionErrorCatalog = {
  "production.digits_length_invalid": "The number of digits must be an integer from 1 to 64.",
  "production.puk_key_invalid": "The PUK encryption key must be exactly 32 bytes (AES-256).",
  "production.puk_invalid": "The PUK to encrypt must be a non-empty string.",
  "production.puk_ciphertext_malformed":
    "The stored PUK is not in a format this version of Tessera can read.",
  "production.puk_ciphertext_tampered":
    "The stored PUK failed its integrity check: it was altered, belongs to another card, or was encrypted under another key.",
  "production.pkcs12_options_invalid": "The PKCS#12 options are not valid.",
  "production.pkcs12_entry_invalid": "A key or certificate given for the PKCS#12 file is not valid.",
  "production.card_number_invalid": "The card number must be 1 to 24 digits.",
  "production.secret_invalid": "The PIN or PUK to print must be one word of printable characters.",
  "production.address_invalid":
    "The address does not fit the window of a DIN C5/6 envelope (at most six lines, name included).",
  "production.photo_invalid": "The photo is not a JPEG or PNG image that can be printed.",
  "production.text_unprintable": "The text contains characters the card and letter fonts cannot print.",
  "production.puk_missing": "The PUK is to be printed on the PIN letter, but none was given.",
  "production.writer_finished": "The PDF writer is already finished; no more pages can be added.",
  "production.output_closed": "The output stream closed before the PDF was completely written.",
  "production.options_invalid": "The production options are not valid.",
} as const satisfies Record<string, string>;

export type ProductionErrorCode = keyof typeof productionErrorCatalog;

export class ProductionError extends Error {
  readonly code: ProductionErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ProductionErrorCode,
    message?: string,
    details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message ?? productionErrorCatalog[code], options);
    this.name = "ProductionError";
    this.code = code;
    this.details = details;
  }
}

export function isProductionError(error: unknown): error is ProductionError {
  return error instanceof ProductionError;
}
