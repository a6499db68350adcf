/**
 * The API's answers as types, for the web UI: each is inferred from the zod schema the routes
 * answer with, so the UI cannot drift from the server. Type-only: nothing here exists at run
 * time, so the UI's bundle ships no zod.
 *
 * Only schema modules that need no Node (no store, no Fastify app) are imported, so the web's
 * type-check (web/tsconfig.json, DOM types only) can follow every import.
 */
import type { z } from "zod";
import type { cardTemplateSchema } from "../domain/card-template.js";
import type { processOptionsSchema } from "../domain/process-options.js";
import type { batchFilterSchema } from "../processes/batch-order-schemas.js";
import type { ProcessAnswer } from "../processes/process-contracts.js";
import type { cardSchema, certificateSchema, userSchema } from "../processes/schemas.js";
import type { auditEntrySchema, auditVerificationSchema } from "./routes/audit-schemas.js";
import type {
  batchDetailSchema,
  batchItemSchema,
  batchPartsSchema,
  batchSchema,
} from "./routes/batch-schemas.js";
import type { caInfoSchema } from "./routes/ca-info-schema.js";
import type { cardDetailSchema } from "./routes/card-schemas.js";
import type { expiringCardsSchema } from "./routes/expiry-schemas.js";
import type {
  actorSchema,
  operatorSchema,
  pendingChangeSchema,
  tokenSchema,
} from "./routes/operator-schemas.js";
import type { pageSchema } from "./routes/paging.js";
import type { batchThroughputSchema, certificatesExpiringByMonthSchema } from "./routes/picture-schemas.js";
import type { catalogEntrySchema } from "./routes/process-schemas.js";

export type { CardState } from "../domain/card-states.js";
export type { CertificateState, RevokeReason } from "../domain/certificate-states.js";
export type { IssueOptionsInput as IssueOptions } from "../domain/issue-options.js";
export type { SymbolicName } from "../domain/process-catalog.js";
export type { Role } from "../domain/roles.js";
/** A process's body as the UI sends it and its answer, by symbolic name (`POST /api/v1/processes/{symbolicName}`). */
export type {
  CardProcessName,
  CertificateProcessName,
  ProcessAnswer,
  ProcessBodyInput,
} from "../processes/process-contracts.js";

/** One page of a search: `GET /api/v1/cards`, `/users`, `/certificates`, `/batches`, `/audit`. */
export type Page<T> = Omit<z.output<ReturnType<typeof pageSchema>>, "items"> & { items: T[] };
/** `GET /api/v1/users/{id}`, one row of `GET /api/v1/users`. */
export type User = z.output<typeof userSchema>;
/** One row of `GET /api/v1/cards`; a process's `{card}`. */
export type Card = z.output<typeof cardSchema>;
/** `GET /api/v1/certificates/{serial}`'s `certificate`, one row of `GET /api/v1/certificates`. */
export type Certificate = z.output<typeof certificateSchema>;
/** `GET /api/v1/ca`. */
export type CaInfo = z.output<typeof caInfoSchema>;
/** `GET /api/v1/templates`' items. */
export type CardTemplate = z.output<typeof cardTemplateSchema>;
/** `GET /api/v1/options`. */
export type ProcessOptions = z.output<typeof processOptionsSchema>;
/** `GET /api/v1/operators`' items. */
export type OperatorAccount = z.output<typeof operatorSchema>;
/** A change that waits for a second administrator (`GET /api/v1/pending-changes`' items). */
export type PendingChange = z.output<typeof pendingChangeSchema>;
/** `POST /api/v1/session`'s and `GET /api/v1/session`'s `operator`: who is logged in. */
export type SessionOperator = z.output<typeof actorSchema>;
/** `GET /api/v1/tokens`' items (never the token itself). */
export type ApiToken = z.output<typeof tokenSchema>;
/** One entry of the object history (`GET /api/v1/audit`, a card's `history`). */
export type AuditEntry = z.output<typeof auditEntrySchema>;
/** `POST /api/v1/audit/verify`. */
export type AuditVerification = z.output<typeof auditVerificationSchema>;
/** `GET /api/v1/cards/{id}`: the card with its certificates and history. */
export type CardDetail = z.output<typeof cardDetailSchema>;
/** `GET /api/v1/cards/expiring`: cards in use expiring within 30, 60 and 90 days, per template. */
export type ExpiringCards = z.output<typeof expiringCardsSchema>;
/** `GET /api/v1/batches/{id}/throughput`: finished cards per time slice. */
export type BatchThroughput = z.output<typeof batchThroughputSchema>;
/** `GET /api/v1/certificates/expiring-by-month`: certificates in use ending per month. */
export type CertificatesExpiringByMonth = z.output<typeof certificatesExpiringByMonthSchema>;
/** `GET /api/v1/processes`' items. */
export type CatalogEntry = z.output<typeof catalogEntrySchema>;
/** A batch order as `GET /api/v1/batches` lists it. */
export type Batch = z.output<typeof batchSchema>;
/** One card of a batch and how its production went. */
export type BatchItem = z.output<typeof batchItemSchema>;
/** One part of a batch's print file or PIN letters (one part per chunk). */
export type BatchFilePart = z.output<typeof batchPartsSchema>[number];
/** `GET /api/v1/batches/{id}`: the batch with one page of its cards and its files so far. */
export type BatchDetail = z.output<typeof batchDetailSchema>;
/** The search criteria a batch order sends instead of card ids ("all N matching"). */
export type CardFilter = z.input<typeof batchFilterSchema>;
/** What a batch order (Issue or Activate multiple cards) answers. */
export type BatchOrderAnswer = ProcessAnswer<"CardsBoProcIssueMultiple">;
/** What `POST /api/v1/processes/UsersProcEdit` answers. */
export type UserEditAnswer = ProcessAnswer<"UsersProcEdit">;
