/**
 * One error type, {@link TesseraError}, for everything a person, a script or a batch can meet.
 *
 * Every code a client can see (in an HTTP answer, a batch's per-card results, or at the command
 * line) is listed here with its HTTP status and a sentence for people, so the OpenAPI document,
 * the UI and the CLI all say the same thing. Codes are a public contract: add new ones freely,
 * never rename one.
 */
export const errorCatalog = {
  "request.invalid": { status: 400, message: "The request is not valid." },
  "request.malformed_json": { status: 400, message: "The request body is not valid JSON." },
  "request.unsupported_media_type": {
    status: 415,
    message: "Send the request body as JSON (Content-Type: application/json).",
  },
  "request.too_large": { status: 413, message: "The request body is too large." },
  "request.invalid_text": {
    status: 400,
    message: "Text must be well-formed Unicode without NUL characters.",
  },
  "request.invalid_url": {
    status: 400,
    message: "The address is not a valid URL: a % must start a %XX escape.",
  },
  "request.url_too_long": { status: 414, message: "A part of the address is too long." },
  "request.malformed_http": {
    status: 400,
    message:
      "The request is not valid HTTP (a bad character in a header or the address, or conflicting lengths).",
  },
  "request.headers_too_large": { status: 431, message: "The request's headers are too large." },
  "request.timeout": { status: 408, message: "The request took too long to arrive." },
  "request.invalid_cursor": {
    status: 400,
    message: "The cursor is not valid; start again from the first page.",
  },
  "route.not_found": { status: 404, message: "There is no such route." },
  "auth.required": { status: 401, message: "Log in first." },
  "auth.invalid_credentials": { status: 401, message: "The username or password is wrong." },
  // No longer answered since logins wait instead of locking (issue 8); kept: codes are a contract.
  "auth.account_locked": {
    status: 423,
    message: "The account is locked after repeated failed logins; try again later.",
  },
  "auth.account_disabled": { status: 403, message: "The account is disabled." },
  "auth.rate_limited": { status: 429, message: "Too many attempts; wait a moment and try again." },
  "auth.forbidden": { status: 403, message: "Your roles do not allow this." },
  "auth.invalid_token": { status: 401, message: "The API token is not valid." },
  "operator.not_found": { status: 404, message: "There is no such operator." },
  "operator.username_taken": { status: 409, message: "An operator with that username already exists." },
  "operator.last_administrator": {
    status: 409,
    message: "At least one enabled administrator must remain.",
  },
  "token.not_found": { status: 404, message: "There is no such API token." },
  "token.other_operator": {
    status: 403,
    message: "An API token acts only as the operator who creates it; log in as that operator to make one.",
  },
  "operator.own_roles": {
    status: 403,
    message: "No operator changes their own roles; another administrator must do it.",
  },
  "pending_change.not_found": { status: 404, message: "There is no such pending change." },
  "pending_change.decided": {
    status: 409,
    message: "This change was already approved or rejected.",
  },
  "pending_change.own_proposal": {
    status: 403,
    message:
      "A change that needs a second administrator is approved or rejected by another administrator than who proposed it.",
  },
  "request.cross_site": {
    status: 403,
    message: "A request from another site may not change anything here.",
  },
  "process.not_found": { status: 404, message: "There is no such process." },
  "process.option_disabled": { status: 400, message: "This option is not enabled in this deployment." },
  "process.option_invalid": { status: 400, message: "The options are not valid." },
  "user.not_found": { status: 404, message: "There is no such user." },
  "user.identifier_taken": { status: 409, message: "A user with that identifier already exists." },
  "user.sid_taken": {
    status: 409,
    message: "Another user has that security identifier (SID): a SID names one account.",
  },
  "user.inactive": { status: 409, message: "The user is not active." },
  "user.stale": { status: 409, message: "The user has changed since you read it; reload and try again." },
  "user.already_inactive": { status: 409, message: "The user is inactive already." },
  "user.already_active": { status: 409, message: "The user is active already." },
  "user.photo_invalid": { status: 400, message: "The photo must be a JPEG or PNG image of at most 1 MB." },
  "user.unfit_for_card": {
    status: 400,
    message:
      "A field cannot be printed on the card or written into its certificates (too long, or characters the card's font or a certificate cannot hold).",
  },
  "card.holder_unfit_for_card": {
    status: 409,
    message:
      "The card failed on its holder's data, which still cannot be printed or certified: correct the user (Edit user) before repeating production.",
  },
  "user.import_empty": { status: 400, message: "The CSV file has no header row." },
  "user.import_line_too_long": {
    status: 400,
    message:
      "A record of the CSV file is longer than 4,096 characters; a user's fields never need that much.",
  },
  "card.not_found": { status: 404, message: "There is no such card." },
  "card.face_unprintable": {
    status: 409,
    message:
      "The card's face cannot be printed from its holder's data as it stands: correct the user (Edit user) first.",
  },
  "card.state_not_allowed": { status: 409, message: "The card's state does not allow this process." },
  "card.stale": { status: 409, message: "The card has changed since you read it; reload and try again." },
  "card.four_eyes": { status: 403, message: "A request must be approved by someone other than who made it." },
  "card.too_many_active": {
    status: 409,
    message: "The user already has a card, and several cards per user are not allowed.",
  },
  "card.reason_required": { status: 400, message: "A reason is required." },
  "card.claimed": { status: 409, message: "The card is held by a running batch." },
  "card.not_chip": {
    status: 409,
    message:
      "The card is a software token, not a chip card: it has no PIN retry counter and no PUK to unblock it with.",
  },
  "card.already_renewed": {
    status: 409,
    message: "The card is replaced or renewed already by a card that is requested or in use.",
  },
  "card.puk_unreadable": {
    status: 409,
    message:
      "The card's stored PUK cannot be read by this server: it was encrypted under another PUK key (TESSERA_PUK_KEY) or altered.",
  },
  "card.puk_limit": {
    status: 429,
    message: "This operator was given as many PUKs in the last hour as one operator may be.",
  },
  "card.no_puk": {
    status: 409,
    message: "No PUK is stored for this chip card, so its PIN cannot be unblocked here.",
  },
  "card.chip_unreachable": {
    status: 409,
    message:
      "This server does not reach the card's readers (its PKCS#11 module is not loaded here): unblock at a desk with its own reader (tessera card unblock).",
  },
  "card.chip_failed": {
    status: 409,
    message:
      "The card's PKCS#11 module failed the PIN operation; the message names the card and the module's cause.",
  },
  "template.not_found": { status: 404, message: "There is no such card template." },
  "certificate.not_found": { status: 404, message: "There is no such certificate." },
  "certificate.state_not_allowed": {
    status: 409,
    message: "The certificate's state does not allow this change.",
  },
  "certificate.stale": {
    status: 409,
    message: "The certificate changed while this request ran; reload and try again.",
  },
  "batch.not_found": { status: 404, message: "There is no such batch." },
  "batch.empty_selection": { status: 400, message: "Select at least one card." },
  "batch.nothing_claimed": {
    status: 409,
    message: "None of the selected cards can be issued now; nothing was started.",
  },
  "batch.not_running": { status: 409, message: "The batch is not running." },
  "batch.running": { status: 409, message: "The batch is still running; wait until it has finished." },
  "batch.pin_letters_purged": {
    status: 410,
    message: "The PIN letters of this batch were purged after printing; they never come back.",
  },
  "batch.no_output": { status: 404, message: "This batch has no such file." },
  "batch.secret_split": {
    status: 403,
    message:
      "One operator may fetch a batch's PIN letters or its software tokens, never both: another operator must fetch the other half.",
  },
  "card.no_token": { status: 404, message: "This card has no software token." },
  "card.token_card_not_issued": {
    status: 409,
    message:
      "The software token is handed out only while its card is as its batch made it (issued), never after activation.",
  },
  "card.token_pin_letters_purged": {
    status: 410,
    message:
      "The PIN letters of the batch that made this token were purged; the token is no longer handed out.",
  },
  "card.token_download_limit": {
    status: 409,
    message: "The software token was downloaded as many times as this deployment allows.",
  },
  "activation.not_offered": {
    status: 404,
    message: "This office does not offer activation by the card holder; the ID office activates cards.",
  },
  "activation.code_malformed": {
    status: 400,
    message: "Type the card number and the 12-character activation code as printed on your PIN letter.",
  },
  "activation.code_wrong": {
    status: 403,
    message: "The card number and the activation code do not match.",
  },
  "activation.code_expired": {
    status: 410,
    message: "The activation code has expired; the ID office can activate the card for you.",
  },
  "activation.code_used": {
    status: 409,
    message: "The card was activated already, or its activation code was replaced.",
  },
  "activation.too_many_tries": {
    status: 429,
    message: "Too many wrong codes; the ID office can activate the card for you.",
  },
  "card.not_renewable": {
    status: 409,
    message:
      "A selected card cannot be renewed (not in use, not near its end, or renewed already); details.cards names each, and nothing was requested.",
  },
  "card.expired": {
    status: 409,
    message: "The card's validity has ended, so it cannot become active; request a new card.",
  },
  "card.no_usable_certificate": {
    status: 409,
    message: "The card has no certificate that is valid or on hold, so it cannot become active.",
  },
  "certificate.card_not_active": {
    status: 409,
    message:
      "A hold is released only for a certificate whose card is active; activate or reactivate the card.",
  },
  "batch.public_url_not_set": {
    status: 409,
    message:
      "TESSERA_PUBLIC_URL is not set: certificates would carry localhost addresses for their CRL and OCSP. Set TESSERA_PUBLIC_URL and start Tessera again.",
  },
  "ca.import_not_allowed": {
    status: 409,
    message: "A CA can only be imported before any certificate has been issued.",
  },
  "ca.init_not_allowed": {
    status: 409,
    message: "A CA key is created in a token only once, and only before any certificate has been issued.",
  },
  "ca.token_pin_unset": {
    status: 400,
    message: "The environment variable that holds the PIN of the CA's token is not set.",
  },
  "audit.invalid_query": { status: 400, message: "The audit query is not valid." },
  "options.invalid": { status: 400, message: "The process options are not valid." },

  // The PKI library's codes. A 500 here marks a bug or a broken configuration in the caller,
  // never bad input from a person.
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
  "certificate.identifier_missing": {
    status: 409,
    message:
      "The card's logon certificate needs an identifier the holder does not have (UPN or SID): add it to the user, then repeat production.",
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
  "der.malformed": {
    status: 500,
    message: "The bytes are not the DER (X.690) that was expected.",
  },
  "pkcs11.module_unavailable": {
    status: 500,
    message: "The PKCS#11 module cannot be loaded or initialised: check its path and that it is installed.",
  },
  "pkcs11.token_not_found": { status: 404, message: "No token with that serial number is in a reader." },
  "pkcs11.card_removed": { status: 409, message: "The card or its reader was removed during the operation." },
  "pkcs11.pin_incorrect": { status: 403, message: "The card refused the PIN or PUK: it is wrong." },
  "pkcs11.pin_blocked": { status: 423, message: "The card's PIN is blocked: unblock it with the PUK." },
  "pkcs11.pin_rejected": {
    status: 400,
    message: "The card does not accept that PIN: its length or characters are outside the card's rules.",
  },
  "pkcs11.no_blank_card": {
    status: 409,
    message: "No blank card is left in the production station's readers.",
  },
  "pkcs11.key_not_found": { status: 404, message: "The card holds no private key with that id." },
  "pkcs11.token_ambiguous": {
    status: 409,
    message: "Several tokens carry that label: give the CA's token a label of its own.",
  },
  "pkcs11.operation_failed": { status: 500, message: "The card's PKCS#11 module refused the operation." },

  // Card production runs in the batch runner, far from HTTP: these codes become a card's
  // `failed` reason in a batch's results, or a logged bug; none is the answer to a request.
  "production.digits_length_invalid": {
    status: 500,
    message: "The number of digits must be an integer from 1 to 64.",
  },
  "production.puk_key_invalid": {
    status: 500,
    message: "The PUK encryption key must be exactly 32 bytes (AES-256).",
  },
  "production.puk_invalid": { status: 500, message: "The PUK to encrypt must be a non-empty string." },
  "production.puk_ciphertext_malformed": {
    status: 500,
    message: "The stored PUK is not in a format this version of Tessera can read.",
  },
  "production.puk_ciphertext_tampered": {
    status: 500,
    message:
      "The stored PUK failed its integrity check: it was altered, belongs to another card, or was encrypted under another key.",
  },
  "production.pkcs12_options_invalid": { status: 500, message: "The PKCS#12 options are not valid." },
  "production.pkcs12_entry_invalid": {
    status: 500,
    message: "A key or certificate given for the PKCS#12 file is not valid.",
  },
  "production.card_number_invalid": { status: 500, message: "The card number must be 1 to 24 digits." },
  "production.secret_invalid": {
    status: 500,
    message: "The PIN or PUK to print must be one word of printable characters.",
  },
  "production.address_invalid": {
    status: 500,
    message: "The address does not fit the window of a DIN C5/6 envelope (at most six lines, name included).",
  },
  "production.photo_invalid": {
    status: 500,
    message: "The photo is not a JPEG or PNG image that can be printed.",
  },
  "production.text_unprintable": {
    status: 500,
    message: "The text contains characters the card and letter fonts cannot print.",
  },
  "production.puk_missing": {
    status: 500,
    message: "The PUK is to be printed on the PIN letter, but none was given.",
  },
  "production.writer_finished": {
    status: 500,
    message: "The PDF writer is already finished; no more pages can be added.",
  },
  "production.output_closed": {
    status: 500,
    message: "The output stream closed before the PDF was completely written.",
  },
  "production.options_invalid": { status: 500, message: "The production options are not valid." },
  "production.chunk_failed": {
    status: 500,
    message: "A chunk of the batch was not produced: its worker thread failed or ended.",
  },
  "png.invalid": { status: 500, message: "The bytes are not a PNG image that Tessera can read." },

  // Seen at the command line and at start-up, never over HTTP.
  "cli.usage": { status: 400, message: "The command line is not valid." },
  "config.invalid": { status: 500, message: "A setting is not valid; Tessera does not start." },
  "audit.history_broken": {
    status: 500,
    message: "The object history is broken: no checkpoint is signed over it.",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** Whether `code` is one of the catalog's (a code that crossed a thread or a process as a string). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(errorCatalog, code);
}

/** Extra machine-readable facts about an error, e.g. which field was wrong. */
export type ErrorDetails = Record<string, unknown>;

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message?: string, details?: ErrorDetails, options?: ErrorOptions) {
    super(message ?? errorCatalog[code].message, options);
    this.name = "TesseraError";
    this.code = code;
    this.status = errorCatalog[code].status;
    this.details = details;
  }
}

/**
 * Whether `error` is a refusal: a {@link TesseraError} with a 4xx status, the caller's mistake,
 * answered with its code, recorded as refused, and (in a batch) a card's failure reason. Any
 * other error, a 500 code included, is a bug or a broken configuration.
 */
export function isClientError(error: unknown): error is TesseraError {
  return error instanceof TesseraError && error.status >= 400 && error.status < 500;
}
