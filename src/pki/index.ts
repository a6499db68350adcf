/**
 * Tessera's PKI: a pure library (no database, no HTTP) that creates the CA certificate, issues
 * card certificates per profile, and builds CRLs and OCSP responses. Signing goes through a
 * {@link Signer}, so a key in memory and a PKCS#11 token are interchangeable.
 */
export {
  assertSignerMatches,
  type CaCertificateCheck,
  type CaIdentity,
  type CertIdHashes,
  type CreateCaCertificateParams,
  checkCaCertificate,
  createCaCertificate,
  floorToSecond,
  parseCaCertificate,
} from "./ca-certificate.js";
export {
  type CertificateIssuer,
  clampValidity,
  createCertificateIssuer,
  type IssueRequest,
  issueCertificate,
} from "./certificate-issuer.js";
export {
  type CertificateSubject,
  checkLogonIdentifiers,
  checkProfilePublicKey,
  extendedKeyUsageFor,
  maxEmailLength,
  maxUpnLength,
  type PublicEndpoints,
  publicEndpoints,
  subjectText,
} from "./certificate-profiles.js";
export {
  type BuildCrlParams,
  buildCrl,
  type CrlEntry,
  type CrlReason,
  crlReasonCodes,
  crlReasons,
} from "./crl.js";
export { type NameAttribute, type NameAttributeType, parseDistinguishedName } from "./distinguished-name.js";
export { keyUsageFor } from "./key-usage.js";
export {
  type AnswerOcspRequestParams,
  answerOcspRequest,
  type BuildOcspResponseParams,
  buildOcspErrorResponse,
  buildOcspResponse,
  type CreateOcspSigningCertificateParams,
  certIdFor,
  createOcspSigningCertificate,
  matchesCa,
  type OcspCertId,
  type OcspCertStatus,
  type OcspErrorStatus,
  type OcspHashAlgorithm,
  type OcspRequestParse,
  type OcspResponderKey,
  type OcspSingleResponse,
  parseOcspRequest,
} from "./ocsp.js";
export { fromPem, toPem } from "./pem.js";
export {
  createKeySigner,
  createThreadSigner,
  decryptPrivateKey,
  defaultKeyEncryptionIterations,
  ecdsaSignatureToDer,
  encryptPrivateKey,
  generateCaKey,
  generateEcPrivateKey,
  generateSigningKey,
  keyAlgorithmOf,
  type SignatureAlgorithm,
  type Signer,
  type SigningKeyAlgorithm,
  signatureAlgorithmFor,
  spkiOf,
  toNonExtractableKey,
} from "./signer.js";
export { readSubjectPublicKey, type SubjectPublicKey } from "./subject-public-key.js";
export { newSerial, type ReadCertificate, readCertificate, serialToHex } from "./x509-certificate.js";
