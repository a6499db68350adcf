/**
 * One error type, {@link TesseraError}, for everything a person, a script or a batch can meet.
 *
 * Every code a client can see (in an HTTP answer, a batch's per-card results, or at the command
 * line) is listed here with its HTTP status and a sentence for people, so the OpenAPI document,
 * the UI and the CLI all say the same thing. Codes are a public contract: add new ones freely,
 * never rename one.
 */

/**
 * An entry of the catalog: the HTTP status a code is answered with (RFC 9110 §15, named by its
 * reason phrase below) and the sentence for people.
 */
const answeredWith =
  <const Status extends number>(status: Status) =>
  <const Message extends string>(message: Message) => ({ status, message });
const badRequest = answeredWith(400);
const unauthorized = answeredWith(401);
const forbidden = answeredWith(403);
const notFound = answeredWith(404);
const requestTimeout = answeredWith(408);
const conflict = answeredWith(409);
const gone = answeredWith(410);
const contentTooLarge = answeredWith(413);
const uriTooLong = answeredWith(414);
const unsupportedMediaType = answeredWith(415);
/** WebDAV's (RFC 4918 §11.3). */
const locked = answeredWith(423);
/** RFC 6585 §4. */
const tooManyRequests = answeredWith(429);
/** RFC 6585 §5: Request Header Fields Too Large. */
const headersTooLarge = answeredWith(431);
/** Internal Server Error: a bug or a broken configuration, never the caller's mistake. */
const internalError = answeredWith(500);

/** Every code with its status and sentence, in the order the OpenAPI document's error table lists them. */
export const errorCatalog = {
  "request.invalid": badRequest("The request is not valid."),
  "request.malformed_json": badRequest("The request body is not valid JSON."),
  "request.unsupported_media_type": unsupportedMediaType(
    "Send the request body as JSON (Content-Type: application/json).",
  ),
  "request.too_large": contentTooLarge("The request body is too large."),
  "request.invalid_text": badRequest("Text must be well-formed Unicode without NUL characters."),
  "request.invalid_url": badRequest("The address is not a valid URL: a % must start a %XX escape."),
  "request.url_too_long": uriTooLong("A part of the address is too long."),
  "request.malformed_http": badRequest(
    "The request is not valid HTTP (a bad character in a header or the address, or conflicting lengths).",
  ),
  "request.headers_too_large": headersTooLarge("The request's headers are too large."),
  "request.timeout": requestTimeout("The request took too long to arrive."),
  "request.invalid_cursor": badRequest("The cursor is not valid; start again from the first page."),
  "route.not_found": notFound("There is no such route."),
  "auth.required": unauthorized("Log in first."),
  "auth.invalid_credentials": unauthorized("The username or password is wrong."),
  // No longer answered since logins wait instead of locking (issue 8); kept: codes are a contract.
  "auth.account_locked": locked("The account is locked after repeated failed logins; try again later."),
  "auth.account_disabled": forbidden("The account is disabled."),
  "auth.rate_limited": tooManyRequests("Too many attempts; wait a moment and try again."),
  "auth.forbidden": forbidden("Your roles do not allow this."),
  "auth.invalid_token": unauthorized("The API token is not valid."),
  "operator.not_found": notFound("There is no such operator."),
  "operator.username_taken": conflict("An operator with that username already exists."),
  "operator.last_administrator": conflict("At least one enabled administrator must remain."),
  "token.not_found": notFound("There is no such API token."),
  "token.other_operator": forbidden(
    "An API token acts only as the operator who creates it; log in as that operator to make one.",
  ),
  "operator.own_roles": forbidden("No operator changes their own roles; another administrator must do it."),
  "pending_change.not_found": notFound("There is no such pending change."),
  "pending_change.decided": conflict("This change was already approved or rejected."),
  "pending_change.own_proposal": forbidden(
    "A change that needs a second administrator is approved or rejected by another administrator than who proposed it.",
  ),
  "request.cross_site": forbidden("A request from another site may not change anything here."),
  "process.not_found": notFound("There is no such process."),
  "process.option_disabled": badRequest("This option is not enabled in this deployment."),
  "process.option_invalid": badRequest("The options are not valid."),
  "user.not_found": notFound("There is no such user."),
  "user.identifier_taken": conflict("A user with that identifier already exists."),
  "user.sid_taken": conflict("Another user has that security identifier (SID): a SID names one account."),
  "user.inactive": conflict("The user is not active."),
  "user.stale": conflict("The user has changed since you read it; reload and try again."),
  "user.already_inactive": conflict("The user is inactive already."),
  "user.already_active": conflict("The user is active already."),
  "user.photo_invalid": badRequest("The photo must be a JPEG or PNG image of at most 1 MB."),
  "user.unfit_for_card": badRequest(
    "A field cannot be printed on the card or written into its certificates (too long, or characters the card's font or a certificate cannot hold).",
  ),
  "card.holder_unfit_for_card": conflict(
    "The card failed on its holder's data, which still cannot be printed or certified: correct the user (Edit user) before repeating production.",
  ),
  "user.import_empty": badRequest("The CSV file has no header row."),
  "user.import_line_too_long": badRequest(
    "A record of the CSV file is longer than 4,096 characters; a user's fields never need that much.",
  ),
  "card.not_found": notFound("There is no such card."),
  "card.face_unprintable": conflict(
    "The card's face cannot be printed from its holder's data as it stands: correct the user (Edit user) first.",
  ),
  "card.state_not_allowed": conflict("The card's state does not allow this process."),
  "card.stale": conflict("The card has changed since you read it; reload and try again."),
  "card.four_eyes": forbidden("A request must be approved by someone other than who made it."),
  "card.too_many_active": conflict(
    "The user already has a card, and several cards per user are not allowed.",
  ),
  "card.reason_required": badRequest("A reason is required."),
  "card.claimed": conflict("The card is held by a running batch."),
  "card.not_chip": conflict(
    "The card is a software token, not a chip card: it has no PIN retry counter and no PUK to unblock it with.",
  ),
  "card.already_renewed": conflict(
    "The card is replaced or renewed already by a card that is requested or in use.",
  ),
  "card.puk_unreadable": conflict(
    "The card's stored PUK cannot be read by this server: it was encrypted under another PUK key (TESSERA_PUK_KEY) or altered.",
  ),
  "card.puk_limit": tooManyRequests(
    "This operator was given as many PUKs in the last hour as one operator may be.",
  ),
  "card.no_puk": conflict("No PUK is stored for this chip card, so its PIN cannot be unblocked here."),
  "card.no_pending_puk": conflict(
    "No PUK rotation is waiting for this card: no desk was given its PUK since it was last rotated or settled.",
  ),
  "card.chip_unreachable": conflict(
    "This server does not reach the card's readers (its PKCS#11 module is not loaded here): unblock at a desk with its own reader (tessera card unblock).",
  ),
  "card.chip_failed": conflict(
    "The card's PKCS#11 module failed the PIN operation; the message names the card and the module's cause.",
  ),
  "template.not_found": notFound("There is no such card template."),
  "certificate.not_found": notFound("There is no such certificate."),
  "certificate.state_not_allowed": conflict("The certificate's state does not allow this change."),
  "certificate.stale": conflict("The certificate changed while this request ran; reload and try again."),
  "batch.not_found": notFound("There is no such batch."),
  "batch.empty_selection": badRequest("Select at least one card."),
  "batch.nothing_claimed": conflict("None of the selected cards can be issued now; nothing was started."),
  "batch.not_running": conflict("The batch is not running."),
  "batch.running": conflict("The batch is still running; wait until it has finished."),
  "batch.pin_letters_purged": gone(
    "The PIN letters of this batch were purged after printing; they never come back.",
  ),
  "batch.no_output": notFound("This batch has no such file."),
  "batch.secret_split": forbidden(
    "One operator may fetch a batch's PIN letters or its software tokens, never both: another operator must fetch the other half.",
  ),
  // A card's reason in a batch's results, never an answer: its chunk failed three times for a
  // reason not its cards' (a broken chip station, a full disk, a database gone), so it was given up.
  "batch.production_failed": internalError(
    "The card's chunk failed repeatedly for a reason not the card's own. An issuing batch's card was failed (Repeat production makes it again); an activation batch's card stays issued (activate it again).",
  ),
  "card.no_token": notFound("This card has no software token."),
  "card.token_card_not_issued": conflict(
    "The software token is handed out only while its card is as its batch made it (issued), never after activation.",
  ),
  "card.token_pin_letters_purged": gone(
    "The PIN letters of the batch that made this token were purged; the token is no longer handed out.",
  ),
  "card.token_download_limit": conflict(
    "The software token was downloaded as many times as this deployment allows.",
  ),
  "activation.not_offered": notFound(
    "This office does not offer activation by the card holder; the ID office activates cards.",
  ),
  "activation.code_malformed": badRequest(
    "Type the card number and the 12-character activation code as printed on your PIN letter.",
  ),
  "activation.code_wrong": forbidden("The card number and the activation code do not match."),
  "activation.code_expired": gone(
    "The activation code has expired; the ID office can activate the card for you.",
  ),
  "activation.code_used": conflict("The card was activated already, or its activation code was replaced."),
  "activation.too_many_tries": tooManyRequests(
    "Too many wrong codes; the ID office can activate the card for you.",
  ),
  "card.not_renewable": conflict(
    "A selected card cannot be renewed (not in use, not near its end, or renewed already); details.cards names each, and nothing was requested.",
  ),
  // One card's reason in card.not_renewable's details.cards, never an answer of its own.
  "card.not_near_expiry": conflict(
    "The card ends later than the renewal window (process option renewalWindowDays); it is renewed when its end is nearer.",
  ),
  "card.expired": conflict("The card's validity has ended, so it cannot become active; request a new card."),
  "card.no_usable_certificate": conflict(
    "The card has no certificate that is valid or on hold, so it cannot become active.",
  ),
  "certificate.card_not_active": conflict(
    "A hold is released only for a certificate whose card is active; activate or reactivate the card.",
  ),
  "batch.public_url_not_set": conflict(
    "TESSERA_PUBLIC_URL is not set: certificates would carry localhost addresses for their CRL and OCSP. Set TESSERA_PUBLIC_URL and start Tessera again.",
  ),
  "ca.import_not_allowed": conflict("A CA can only be imported before any certificate has been issued."),
  "ca.init_not_allowed": conflict(
    "A CA key is created in a token only once, and only before any certificate has been issued.",
  ),
  "ca.token_pin_unset": badRequest(
    "The environment variable that holds the PIN of the CA's token is not set.",
  ),
  "audit.invalid_query": badRequest("The audit query is not valid."),
  "options.invalid": badRequest("The process options are not valid."),

  // The PKI library's codes. A 500 here marks a bug or a broken configuration in the caller,
  // never bad input from a person.
  "certificate.public_key_invalid": badRequest("The public key is not a valid DER SubjectPublicKeyInfo."),
  "certificate.public_key_mismatch": badRequest(
    "The public key does not have the algorithm and size the certificate profile requires.",
  ),
  "certificate.subject_too_long": badRequest(
    "A subject field is longer than X.520 allows (64 characters; 255 for an e-mail address).",
  ),
  "certificate.subject_invalid": badRequest("A subject field is empty or holds characters it may not hold."),
  "certificate.email_invalid": badRequest(
    "The e-mail address is not a plain ASCII address of the form local@domain.",
  ),
  "certificate.identifier_missing": conflict(
    "The card's logon certificate needs an identifier the holder does not have (UPN or SID): add it to the user, then repeat production.",
  ),
  "certificate.validity_invalid": badRequest(
    "The certificate would end before it starts (its end is limited to the CA's end of validity).",
  ),
  "certificate.serial_invalid": internalError(
    "The serial number must be 1 to 20 bytes, positive, with a non-zero first byte.",
  ),
  "ca.subject_invalid": badRequest(
    "The CA name is not a distinguished name Tessera can write (for example CN=Tessera CA,O=Example).",
  ),
  "ca.certificate_invalid": badRequest(
    "The CA certificate cannot be read as a DER or PEM X.509 certificate.",
  ),
  "ca.not_a_ca": badRequest("The certificate is not a CA certificate that may sign certificates and CRLs."),
  "ca.key_mismatch": badRequest("The CA certificate does not belong to the private key."),
  "ca.key_unsupported": badRequest(
    "The key is not ECDSA P-256 or P-384 or RSA with a 2048- or 3072-bit modulus.",
  ),
  "ca.key_decrypt_failed": badRequest(
    "The encrypted private key cannot be decrypted: wrong passphrase or damaged file.",
  ),
  "ca.expired": conflict("The CA certificate has expired: it can issue no more certificates."),
  "ca.public_url_invalid": internalError(
    "The public base URL must be an absolute http or https URL without query or fragment.",
  ),
  "crl.entry_invalid": internalError(
    "A CRL entry has a bad serial number, a duplicate serial number or a bad date.",
  ),
  "crl.number_invalid": internalError("The CRL number must be a non-negative integer of at most 20 bytes."),
  "crl.dates_invalid": internalError("The CRL's nextUpdate must be later than its thisUpdate."),
  "der.malformed": internalError("The bytes are not the DER (X.690) that was expected."),
  "pkcs11.module_unavailable": internalError(
    "The PKCS#11 module cannot be loaded or initialised: check its path and that it is installed.",
  ),
  "pkcs11.token_not_found": notFound("No token with that serial number is in a reader."),
  "pkcs11.card_removed": conflict("The card or its reader was removed during the operation."),
  "pkcs11.pin_incorrect": forbidden("The card refused the PIN or PUK: it is wrong."),
  "pkcs11.pin_blocked": locked("The card's PIN is blocked: unblock it with the PUK."),
  "pkcs11.pin_rejected": badRequest(
    "The card does not accept that PIN: its length or characters are outside the card's rules.",
  ),
  "pkcs11.no_blank_card": conflict("No blank card is left in the production station's readers."),
  "pkcs11.key_not_found": notFound("The card holds no private key with that id."),
  "pkcs11.token_ambiguous": conflict(
    "Several tokens carry that label: give the CA's token a label of its own.",
  ),
  "pkcs11.operation_failed": internalError("The card's PKCS#11 module refused the operation."),

  // Card production runs in the batch runner, far from HTTP: these codes become a card's
  // `failed` reason in a batch's results, or a logged bug; none is the answer to a request.
  "production.digits_length_invalid": internalError("The number of digits must be an integer from 1 to 64."),
  "production.puk_key_invalid": internalError("The PUK encryption key must be exactly 32 bytes (AES-256)."),
  "production.puk_invalid": internalError("The PUK to encrypt must be a non-empty string."),
  "production.puk_ciphertext_malformed": internalError(
    "The stored PUK is not in a format this version of Tessera can read.",
  ),
  "production.puk_ciphertext_tampered": internalError(
    "The stored PUK failed its integrity check: it was altered, belongs to another card, or was encrypted under another key.",
  ),
  "production.pkcs12_options_invalid": internalError("The PKCS#12 options are not valid."),
  "production.pkcs12_entry_invalid": internalError(
    "A key or certificate given for the PKCS#12 file is not valid.",
  ),
  "production.card_number_invalid": internalError("The card number must be 1 to 24 digits."),
  "production.secret_invalid": internalError(
    "The PIN or PUK to print must be one word of printable characters.",
  ),
  "production.address_invalid": internalError(
    "The address does not fit the window of a DIN C5/6 envelope (at most six lines, name included).",
  ),
  "production.photo_invalid": internalError("The photo is not a JPEG or PNG image that can be printed."),
  "production.text_unprintable": internalError(
    "The text contains characters the card and letter fonts cannot print.",
  ),
  "production.puk_missing": internalError("The PUK is to be printed on the PIN letter, but none was given."),
  "production.writer_finished": internalError(
    "The PDF writer is already finished; no more pages can be added.",
  ),
  "production.output_closed": internalError(
    "The output stream closed before the PDF was completely written.",
  ),
  "production.options_invalid": internalError("The production options are not valid."),
  "production.chunk_failed": internalError(
    "A chunk of the batch was not produced: its worker thread failed or ended.",
  ),
  "png.invalid": internalError("The bytes are not a PNG image that Tessera can read."),

  // Seen at the command line and at start-up, never over HTTP.
  "cli.usage": badRequest("The command line is not valid."),
  "config.invalid": internalError("A setting is not valid; Tessera does not start."),
  "audit.history_broken": internalError("The object history is broken: no checkpoint is signed over it."),
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
