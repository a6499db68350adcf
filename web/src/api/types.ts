/**
 * The shapes the API answers with and the bodies the UI sends, each inferred on the server's side
 * from the zod schema the routes use (src/http/api-types.ts): nothing is restated here.
 */
export type {
  ApiToken,
  AuditEntry,
  AuditVerification,
  Batch,
  BatchDetail,
  BatchFilePart,
  BatchItem,
  BatchOrderAnswer,
  BatchThroughput,
  CaInfo,
  Card,
  CardDetail,
  CardFilter,
  CardState,
  CardTemplate,
  CatalogEntry,
  Certificate,
  CertificateState,
  CertificatesExpiringByMonth,
  ExpiringCards,
  IssueOptions,
  OperatorAccount,
  Page,
  PendingChange,
  ProcessOptions,
  Role,
  SessionOperator,
  User,
} from "../../../src/http/api-types";
