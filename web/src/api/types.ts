/**
 * The shapes the API answers with. Domain words (roles, states, the process catalog) come from
 * src/domain, the one typed table the server uses too; only plain data is imported, no I/O.
 */
import type { CardState } from "../../../src/domain/card-states.js";
import type { CardTemplate } from "../../../src/domain/card-template.js";
import type { CertificateState } from "../../../src/domain/certificate-states.js";
import type { ProcessOptions } from "../../../src/domain/process-options.js";
import type { Role } from "../../../src/domain/roles.js";

export type { CardState, CardTemplate, CertificateState, ProcessOptions, Role };

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

export interface SessionOperator {
  id: string;
  username: string;
  roles: Role[];
}

export interface User {
  id: string;
  identifier: string;
  firstName: string;
  lastName: string;
  email: string;
  organizationalUnit: string | null;
  organization: string | null;
  title: string | null;
  upn: string | null;
  address: string[] | null;
  hasPhoto: boolean;
  state: "active" | "inactive";
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Card {
  id: string;
  cardNumber: string;
  state: CardState;
  template: string;
  userId: string;
  holderName: string;
  organizationalUnit: string | null;
  /** The running batch that holds the card now. */
  batchId: string | null;
  /** The batch that last took the card, kept after it finished. */
  lastBatchId: string | null;
  version: number;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
  updatedAt: string;
  allowedProcesses: string[];
}

export interface CardCertificate {
  serial: string;
  profile: string;
  state: CertificateState | string;
}

export interface CardDetail extends Card {
  certificates: CardCertificate[];
  history: AuditEntry[];
  /** Whether this operator may download the card's software token now. */
  mayDownloadToken?: boolean;
}

export interface AuditEntry {
  seq: number;
  at: string;
  operatorId: string | null;
  operatorName: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: "success" | "refused" | "failed";
  details: Record<string, unknown>;
}

export interface AuditVerification {
  valid: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
  /** The newest signed checkpoint of the history's head that the history still holds. */
  lastCheckpoint?: { at: string; entries: number };
}

export interface CatalogEntry {
  symbolicName: string;
  name: string;
  component: string;
  kind: "single" | "batch";
  requiredCardStates: string[];
  roles: Role[];
  outcome: string;
  options: Record<string, unknown>;
  allowed: boolean;
}

export interface OperatorAccount {
  id: string;
  username: string;
  roles: Role[];
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiToken {
  id: string;
  operatorId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The options an Issue multiple cards order carries (ARCHITECTURE.md, "Process bodies"). */
export interface IssueOptions {
  pinLength?: number;
  pukLength?: number;
  certificates?: string[];
  cardEndState?: "issued" | "active";
  certificateEndState?: "onHold" | "valid";
}

/** The search criteria of a batch order that selects "all N matching" instead of card ids. */
export interface CardFilter {
  template?: string;
  q?: string;
  organizationalUnit?: string;
  requestedFrom?: string;
  requestedTo?: string;
}

export interface BatchOrderAnswer {
  batchId: string;
  claimed?: number;
  skipped?: { cardId: string; reason: string }[];
}

export type BatchState = "running" | "completed" | "cancelled";

/** One card of a batch and how its production went (`code`/`reason` say why it failed or was skipped). */
export interface BatchItem {
  seq?: number;
  cardId: string;
  cardNumber?: string;
  holderName?: string;
  state: string;
  code?: string | null;
  reason?: string | null;
}

export interface Batch {
  id: string;
  process: string;
  state: BatchState;
  total: number;
  done: number;
  failed: number;
  /** Cards handed back to `approved` by Cancel batch. */
  released?: number;
  left: number;
  options?: Record<string, unknown>;
  createdBy?: string;
  createdByName?: string | null;
  createdAt?: string;
  finishedAt?: string | null;
  pinLettersPurgedAt?: string | null;
  /** Per-card results (one page of them, filtered by `itemState` when asked). */
  items?: BatchItem[];
  nextCursor?: string | null;
  /** The parts of the print file and of the PIN letters written so far (one part per chunk). */
  printFile?: BatchFilePart[];
  pinLetters?: BatchFilePart[];
  /** What this operator's roles may fetch of the batch (the deployment's download setting). */
  mayDownload?: { printFile: boolean; pinLetters: boolean };
}

export interface BatchFilePart {
  part: number;
  pages: number;
  bytes: number;
}

export interface Certificate {
  serial: string;
  cardId: string | null;
  profile: string;
  subject: string;
  state: CertificateState;
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
  revocationReason: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** A change that waits for a second administrator (a weakened four-eyes rule, a new administrator). */
export interface PendingChange {
  id: string;
  kind: "options" | "operator.create" | "operator.change";
  objectId: string | null;
  change: Record<string, unknown>;
  rules: string[];
  state: "pending" | "approved" | "rejected";
  proposedBy: string;
  proposedByName: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
}
