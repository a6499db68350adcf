import type { ColumnType, Generated } from "kysely";

/**
 * Row types of the database, one interface per table. Times are ISO-8601 UTC strings on both
 * databases (they sort as text), flags are 0/1 integers and JSON is text, so one set of
 * migrations and queries serves SQLite and PostgreSQL alike.
 */
export interface Database {
  activation_codes: ActivationCodeTable;
  chip_journal: ChipJournalTable;
  chip_journal_certificates: ChipJournalCertificateTable;
  activation_attempts: ActivationAttemptTable;
  operators: OperatorTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  users: UserTable;
  card_templates: CardTemplateTable;
  process_options: ProcessOptionsTable;
  pending_changes: PendingChangeTable;
  cards: CardTable;
  sequences: SequenceTable;
  audit_log: AuditTable;
  audit_checkpoints: AuditCheckpointTable;
  certificate_authority: CertificateAuthorityTable;
  certificates: CertificateTable;
  crls: CrlTable;
  batches: BatchTable;
  batch_chunks: BatchChunkTable;
  batch_items: BatchItemTable;
  batch_chunk_templates: BatchChunkTemplateTable;
  batch_parts: BatchPartTable;
  card_tokens: CardTokenTable;
  card_counts: CardCountTable;
}

/** A change waiting for a second administrator (see migration 007). */
export interface PendingChangeTable {
  id: string;
  /** options, operator.create, operator.change */
  kind: string;
  /** The operator an operator.change is about. */
  object_id: string | null;
  /** JSON: the change as proposed (no secret in it). */
  change: string;
  /** The hash of a password the proposal sets; never shown. */
  password_hash: string | null;
  /** JSON array of the four-eyes rules the change touches. */
  rules: string;
  /** pending, approved, rejected */
  state: string;
  proposed_by: string;
  proposed_by_name: string;
  proposed_at: string;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
}

/** Cards per state and template, kept by triggers (see migration 005). */
export interface CardCountTable {
  state: string;
  template: string;
  n: number;
}

export interface OperatorTable {
  id: string;
  username: string;
  password_hash: string;
  /** JSON array of role ids. */
  roles: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

/**
 * Failed logins counted per (username, address), see migration 009. `address` is "" for the
 * count of a username from all addresses; `username` is "" for an address's count for all.
 */
export interface LoginThrottleTable {
  username: string;
  address: string;
  failures: number;
  last_failure_at: string;
  /** Until when the next attempt this count governs must wait; null while it is free. */
  delayed_until: string | null;
}

export interface ApiTokenTable {
  id: string;
  operator_id: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionTable {
  /** SHA-256 of the cookie value. */
  id: string;
  operator_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface UserTable {
  id: string;
  identifier: string;
  first_name: string;
  last_name: string;
  email: string;
  organizational_unit: string | null;
  organization: string | null;
  title: string | null;
  upn: string | null;
  /** Windows security identifier, unique where set (migration 017). */
  sid: string | null;
  /** Printed and certified instead of "first last" when that does not fit a card (migration 012). */
  name_on_card: string | null;
  /** JSON array of address lines for the PIN letter. */
  address: string | null;
  photo: Buffer | null;
  photo_type: string | null;
  state: string;
  /** Lower-cased "last first": the users list's order (name search uses migration 018's index). */
  search_name: string;
  /** Bumped on every change; an edit that names an older version is stale (migration 010). */
  version: Generated<number>;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CardTemplateTable {
  name: string;
  /** The template as JSON (see domain/card-template.ts). */
  definition: string;
  updated_at: string;
}

export interface ProcessOptionsTable {
  id: number;
  /** JSON of ProcessOptions. */
  options: string;
  updated_by: string | null;
  updated_at: string;
}

export interface CardTable {
  id: string;
  card_number: string;
  user_id: string;
  template: string;
  state: string;
  /** The holder's name as printed ("First Last"), kept here so card lists need no join. */
  holder_name: string;
  organizational_unit: string | null;
  /** The open batch that holds the card, if any. */
  batch_id: string | null;
  /** The batch that last took the card (kept after the batch finished; migration 008). */
  last_batch_id: string | null;
  /** Bumped on every change; a request that names an older version is stale. */
  version: number;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  puk_encrypted: string | null;
  /**
   * The next PUK, encrypted like `puk_encrypted`, while a desk that was given the PUK rotates the
   * chip's SO PIN to it (migration 022): the chip has the one or the other until it is settled.
   */
  puk_pending_encrypted: string | null;
  issued_at: string | null;
  expires_at: string | null;
  /** The card this one renews (issue 12). */
  predecessor_id: string | null;
  /** The chip's token serial, for a card personalised through PKCS#11 (migration 015). */
  token_serial: string | null;
  updated_at: string;
}

export interface SequenceTable {
  name: string;
  value: ColumnType<number, number, number>;
}

export interface AuditTable {
  seq: Generated<number>;
  at: string;
  operator_id: string | null;
  operator_name: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: string;
  /** JSON: the changes, or the reason a request was refused. */
  details: string;
  prev_mac: string;
  mac: string;
}

/** Signed checkpoints of the object history's head (see migration 006). */
export interface AuditCheckpointTable {
  id: Generated<number>;
  at: string;
  entries: number;
  last_seq: number;
  last_mac: string;
  /** Ed25519 signature (base64) over at, entries, last_seq and last_mac. */
  signature: string;
}

export interface CertificateAuthorityTable {
  id: number;
  certificate: Buffer;
  /** Encrypted PKCS#8 PEM; null when the key lives in a PKCS#11 token. */
  private_key: string | null;
  /**
   * JSON `{modulePath, tokenLabel, keyId, pinVariable}` when the key lives in a PKCS#11 token
   * (migration 016): the module, the token, the key's CKA_ID (hex) and the name of the environment
   * variable that holds the PIN, never the PIN.
   */
  key_in_token: string | null;
  /** JSON array of base64 DER certificates above the CA, for a subordinate CA. */
  chain: string;
  responder_certificate: Buffer;
  responder_private_key: string;
  responder_not_after: string;
  created_at: string;
  updated_at: string;
}

export interface CertificateTable {
  /** Lower-case hex of the serial number's INTEGER content. */
  serial: string;
  card_id: string | null;
  profile: string;
  subject: string;
  state: string;
  der: Buffer;
  not_before: string;
  not_after: string;
  revoked_at: string | null;
  revocation_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface CrlTable {
  number: number;
  this_update: string;
  next_update: string;
  status_version: number;
  entries: number;
  der: Buffer;
}

export interface BatchTable {
  id: string;
  /** The short number operators read and say, drawn from the `batch-number` sequence (migration 012). */
  number: number;
  process: string;
  /** running, completed, cancelled */
  state: string;
  /** JSON: the options the batch runs with. */
  options: string;
  created_by: string;
  created_by_name: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  total: number;
  done: number;
  failed: number;
  /** Cards given back untouched when the batch was cancelled. */
  released: number;
  chunks: number;
  pin_letters_purged_at: string | null;
}

export interface BatchChunkTable {
  batch_id: string;
  chunk: number;
  /** pending, running, done, cancelled */
  state: string;
  claimed_by: string | null;
  lease_until: string | null;
  attempts: number;
  updated_at: string;
  /** `pkcs11` when the chunk holds chip cards: only a production station takes it (migration 015). */
  encoder: ColumnType<string, string | undefined, string>;
  /** Since when a card of the chunk waits for a blank card in its station's readers (migration 023). */
  waiting_for_blank_card_since: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The card templates of a chunk, written when its batch is ordered (migration 024). */
export interface BatchChunkTemplateTable {
  batch_id: string;
  chunk: number;
  template: string;
}

export interface BatchItemTable {
  batch_id: string;
  card_id: string;
  seq: number;
  chunk: number;
  /** pending, done, failed, released */
  state: string;
  code: string | null;
  reason: string | null;
  ms: number | null;
  updated_at: string;
}

export interface BatchPartTable {
  batch_id: string;
  /** print or pinLetters */
  kind: string;
  chunk: number;
  pages: number;
  data: Buffer;
}

export interface CardTokenTable {
  card_id: string;
  token: Buffer;
  created_at: string;
  /** How many times the token was handed out (bounded by the deployment; migration 008). */
  downloads: ColumnType<number, number | undefined, number>;
  /** The card's version right after production (migration 008; null for older tokens). */
  card_version: number | null;
  /** The batch that made the token (migration 008). */
  batch_id: string | null;
}

/** A card's one-time activation code, as a hash (issue 12). */
export interface ActivationCodeTable {
  card_id: string;
  code_hash: string;
  expires_at: string;
  failed_tries: Generated<number>;
  used_at: string | null;
  created_at: string;
}

/** One try on the holder's activation page, by the address it came from. */
export interface ActivationAttemptTable {
  address: string;
  at: string;
}

/** A chip card being personalised: its token and the PUK its SO PIN becomes (migration 015). */
export interface ChipJournalTable {
  card_id: string;
  token_serial: string;
  puk_encrypted: string;
  started_at: string;
}

/** A certificate signed for a chip card, written here before it is written to the chip. */
export interface ChipJournalCertificateTable {
  serial: string;
  card_id: string;
  profile: string;
  subject: string;
  der: Buffer;
  not_before: string;
  not_after: string;
}
