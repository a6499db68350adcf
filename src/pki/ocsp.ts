import { createHash } from "node:crypto";
import { TesseraError } from "../domain/errors.js";
import { assertSignerMatches, type CaIdentity, floorToSecond } from "./ca-certificate.js";
import { clampValidity } from "./certificate-issuer.js";
import type { CrlReason } from "./crl.js";
import { crlReasonCodes } from "./crl.js";
import {
  bitString,
  children,
  content,
  contextConstructed,
  type DerElement,
  decodeOid,
  derError,
  expectTag,
  explicit,
  generalizedTime,
  isDerError,
  octetString,
  oid,
  raw,
  readWhole,
  sequence,
  smallInteger,
  Tag,
  tlv,
} from "./der.js";
import { encodeName, type NameAttribute, parseDistinguishedName } from "./distinguished-name.js";
import { Oid } from "./oids.js";
import { type Signer, signatureAlgorithmFor } from "./signer.js";
import { readSubjectPublicKey } from "./subject-public-key.js";
import {
  checkSerial,
  encodeTbsCertificate,
  readCertificate,
  signTbsCertificate,
} from "./x509-certificate.js";
import {
  authorityKeyIdentifierExtension,
  extendedKeyUsageExtension,
  extension,
  KeyUsageBit,
  keyIdentifier,
  keyUsageExtension,
  ocspNoCheckExtension,
  subjectKeyIdentifierExtension,
} from "./x509-extensions.js";

/**
 * The CertID hash algorithms Tessera answers for (RFC 6960 §4.1.1 lets the client choose; RFC
 * 5019 §2.1.1 names SHA-1, and clients such as `openssl ocsp -sha384` use the SHA-2 family). A
 * CertID with any other algorithm ("other") never matches the CA and is answered `unknown`,
 * as for a certificate of another issuer (RFC 6960 §2.2), rather than malformedRequest: the
 * request itself is well formed.
 */
export type OcspHashAlgorithm = "sha1" | "sha256" | "sha384" | "sha512";

/** One CertID of a request (RFC 6960 §4.1.1). */
export interface OcspCertId {
  readonly hashAlgorithm: OcspHashAlgorithm | "other";
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
  /** Lowercase hex of the serialNumber INTEGER content octets. */
  readonly serialHex: string;
  /** The CertID exactly as received, echoed in the response. */
  readonly der: Buffer;
}

/** A parsed OCSP request, or `ok: false` for input that must get a malformedRequest response. */
export type OcspRequestParse =
  | { readonly ok: true; readonly requests: readonly OcspCertId[]; readonly nonce?: Buffer }
  | { readonly ok: false; readonly reason: string };

/** At most this many CertIDs a request; more is answered as malformed. */
export const maxOcspRequests = 100;
/** Requests longer than this are malformed (a CertID is about 80 bytes). */
export const maxOcspRequestBytes = 64 * 1024;

const hashOids: Readonly<Record<OcspHashAlgorithm, string>> = {
  sha1: Oid.sha1,
  sha256: Oid.sha256,
  sha384: Oid.sha384,
  sha512: Oid.sha512,
};
const hashAlgorithms = new Map<string, OcspHashAlgorithm>(
  Object.entries(hashOids).map(([algorithm, id]) => [id, algorithm as OcspHashAlgorithm]),
);

interface CertIdHashesOf {
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
}
const certIdHashCache = new WeakMap<CaIdentity, Map<OcspHashAlgorithm, CertIdHashesOf>>();

/**
 * The CA's issuerNameHash (of its DER subject) and issuerKeyHash (of its subjectPublicKey BIT
 * STRING value, without tag and length) under `algorithm` (RFC 6960 §4.1.1), computed once.
 */
function certIdHashesOf(ca: CaIdentity, algorithm: OcspHashAlgorithm): CertIdHashesOf {
  let byAlgorithm = certIdHashCache.get(ca);
  if (!byAlgorithm) {
    byAlgorithm = new Map();
    certIdHashCache.set(ca, byAlgorithm);
  }
  let hashes = byAlgorithm.get(algorithm);
  if (!hashes) {
    hashes = {
      issuerNameHash: createHash(algorithm).update(ca.subjectDer).digest(),
      issuerKeyHash: createHash(algorithm).update(readSubjectPublicKey(ca.publicKey).bits).digest(),
    };
    byAlgorithm.set(algorithm, hashes);
  }
  return hashes;
}

function readCertId(der: Buffer, element: DerElement): OcspCertId {
  const [algorithm, nameHash, keyHash, serial, extra] = children(
    der,
    expectTag(element, Tag.sequence, "CertID"),
  );
  if (extra) throw derError("extra fields in CertID");
  const [algorithmOid, parameters, more] = children(der, expectTag(algorithm, Tag.sequence, "hashAlgorithm"));
  if (more || (parameters && parameters.tag !== Tag.null)) throw derError("bad hashAlgorithm parameters");
  const serialBytes = content(der, expectTag(serial, Tag.integer, "serialNumber"));
  if (serialBytes.length === 0) throw derError("empty serialNumber");
  return {
    hashAlgorithm:
      hashAlgorithms.get(decodeOid(content(der, expectTag(algorithmOid, Tag.oid, "hashAlgorithm")))) ??
      "other",
    issuerNameHash: Buffer.from(content(der, expectTag(nameHash, Tag.octetString, "issuerNameHash"))),
    issuerKeyHash: Buffer.from(content(der, expectTag(keyHash, Tag.octetString, "issuerKeyHash"))),
    serialHex: serialBytes.toString("hex"),
    der: Buffer.from(raw(der, element)),
  };
}

/**
 * The nonce of the request extensions (RFC 6960 §4.4.1 as replaced by RFC 9654): the extnValue
 * is echoed exactly. A nonce of 0 or more than 128 octets is malformed (RFC 9654 §2.1).
 */
function readNonce(der: Buffer, extensions: DerElement): Buffer | undefined {
  const [list] = children(der, extensions);
  let nonce: Buffer | undefined;
  for (const item of children(der, expectTag(list, Tag.sequence, "requestExtensions"))) {
    const parts = children(der, expectTag(item, Tag.sequence, "Extension"));
    const extnId = decodeOid(content(der, expectTag(parts[0], Tag.oid, "extnID")));
    const valueElement = parts[1]?.tag === Tag.boolean ? parts[2] : parts[1];
    const value = content(der, expectTag(valueElement, Tag.octetString, "extnValue"));
    if (extnId !== Oid.ocspNonce) continue;
    if (nonce) throw derError("two nonces");
    // RFC 9654: extnValue holds the DER of `Nonce ::= OCTET STRING`; some old clients put raw bytes.
    let length = value.length;
    try {
      const inner = readWhole(value, Tag.octetString);
      length = inner.end - inner.contentStart;
    } catch {
      // Raw bytes: their own length counts.
    }
    if (length < 1 || length > 128) throw derError("nonce length out of range");
    nonce = Buffer.from(value);
  }
  return nonce;
}

/**
 * Parses a DER OCSPRequest (RFC 6960 §4.1.1). Never throws: anything that is not a well-formed
 * request gives `{ ok: false }`, to be answered with `buildOcspErrorResponse("malformedRequest")`.
 * A signature on the request is ignored (Tessera does not require signed requests).
 */
export function parseOcspRequest(input: Uint8Array): OcspRequestParse {
  try {
    if (input.length > maxOcspRequestBytes) return { ok: false, reason: "request too large" };
    const der = Buffer.from(input);
    const [tbsRequest, signature, extra] = children(der, readWhole(der, Tag.sequence));
    if (extra || (signature && signature.tag !== contextConstructed(0))) throw derError("unexpected field");
    const fields = children(der, expectTag(tbsRequest, Tag.sequence, "tbsRequest"));
    let index = 0;
    if (fields[index]?.tag === contextConstructed(0)) {
      const [version] = children(der, fields[index]!);
      const versionBytes = content(der, expectTag(version, Tag.integer, "version"));
      if (versionBytes.length !== 1 || versionBytes[0] !== 0) throw derError("unsupported version");
      index++;
    }
    if (fields[index]?.tag === contextConstructed(1)) index++; // requestorName
    const requestList = expectTag(fields[index++], Tag.sequence, "requestList");
    let nonce: Buffer | undefined;
    if (fields[index]?.tag === contextConstructed(2)) nonce = readNonce(der, fields[index++]!);
    if (index !== fields.length) throw derError("unexpected field in tbsRequest");
    const requests: OcspCertId[] = [];
    for (const request of children(der, requestList)) {
      const [certId, singleExtensions, more] = children(der, expectTag(request, Tag.sequence, "Request"));
      if (more || (singleExtensions && singleExtensions.tag !== contextConstructed(0))) {
        throw derError("unexpected field in Request");
      }
      requests.push(readCertId(der, certId!));
      if (requests.length > maxOcspRequests) return { ok: false, reason: "too many requests" };
    }
    if (requests.length === 0) return { ok: false, reason: "no requests" };
    return nonce ? { ok: true, requests, nonce } : { ok: true, requests };
  } catch (error) {
    if (isDerError(error)) return { ok: false, reason: error.message };
    return { ok: false, reason: `unexpected: ${(error as Error).message}` };
  }
}

/** Whether a CertID names a certificate of `ca` (RFC 6960 §4.1.1: name hash and key hash both match). */
export function matchesCa(certId: OcspCertId, ca: CaIdentity): boolean {
  if (certId.hashAlgorithm === "other") return false;
  const hashes = certIdHashesOf(ca, certId.hashAlgorithm);
  return (
    certId.issuerNameHash.equals(hashes.issuerNameHash) && certId.issuerKeyHash.equals(hashes.issuerKeyHash)
  );
}

/** The CertID of one of `ca`'s certificates, e.g. to sign responses ahead of requests. */
export function certIdFor(
  ca: CaIdentity,
  serial: Buffer,
  hashAlgorithm: OcspHashAlgorithm = "sha1",
): OcspCertId {
  checkSerial(serial);
  const { issuerNameHash, issuerKeyHash } = certIdHashesOf(ca, hashAlgorithm);
  const der = sequence(
    sequence(oid(hashOids[hashAlgorithm]), Buffer.from([Tag.null, 0])),
    octetString(issuerNameHash),
    octetString(issuerKeyHash),
    tlv(Tag.integer, serial),
  );
  return {
    hashAlgorithm,
    issuerNameHash,
    issuerKeyHash,
    serialHex: serial.toString("hex"),
    der,
  };
}

/** The status of one certificate (RFC 6960 §4.2.1 CertStatus). */
export type OcspCertStatus =
  | { readonly kind: "good" }
  | { readonly kind: "revoked"; readonly revokedAt: Date; readonly reason: CrlReason }
  | { readonly kind: "unknown" };

/** One SingleResponse to build. */
export interface OcspSingleResponse {
  /** The CertID as the request carried it. */
  readonly certId: OcspCertId;
  readonly status: OcspCertStatus;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date | undefined;
}

/** Who signs responses: the CA itself or a delegated responder certified by it (RFC 6960 §4.2.2.2). */
export interface OcspResponderKey {
  readonly certificateDer: Buffer;
  readonly signer: Signer;
}

/** Parameters of {@link buildOcspResponse}. */
export interface BuildOcspResponseParams {
  readonly responder: OcspResponderKey;
  readonly producedAt: Date;
  readonly responses: readonly OcspSingleResponse[];
  /** The request's nonce (its extnValue), echoed in the response extensions. */
  readonly nonce?: Buffer | undefined;
}

interface ResponderFacts {
  /** ResponderID byKey: `[2] EXPLICIT KeyHash`. */
  readonly responderId: Buffer;
  readonly publicKey: Buffer;
  /** `[0] EXPLICIT SEQUENCE OF Certificate` with the responder's certificate. */
  readonly certs: Buffer;
}

const responderFacts = new WeakMap<Buffer, ResponderFacts>();

function factsOf(certificateDer: Buffer): ResponderFacts {
  let facts = responderFacts.get(certificateDer);
  if (!facts) {
    const certificate = readCertificate(certificateDer);
    const publicKey = readSubjectPublicKey(certificate.subjectPublicKeyInfo);
    facts = {
      // RFC 6960 §4.2.1: KeyHash is the SHA-1 of the responder's public key BIT STRING value.
      responderId: explicit(2, octetString(createHash("sha1").update(publicKey.bits).digest())),
      publicKey: publicKey.spki,
      certs: explicit(0, sequence(certificateDer)),
    };
    responderFacts.set(certificateDer, facts);
  }
  return facts;
}

// OCSPResponseStatus (RFC 6960 §4.2.1); 4 is not used.
const responseStatusCodes = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

/** The statuses of an OCSPResponse without a body. */
export type OcspErrorStatus = Exclude<keyof typeof responseStatusCodes, "successful">;

const goodStatus = Buffer.from([0x80, 0x00]); // good [0] IMPLICIT NULL
const unknownStatus = Buffer.from([0x82, 0x00]); // unknown [2] IMPLICIT UnknownInfo (NULL)

function encodeStatus(status: OcspCertStatus): Buffer {
  switch (status.kind) {
    case "good":
      return goodStatus;
    case "unknown":
      return unknownStatus;
    case "revoked": {
      const code = crlReasonCodes[status.reason];
      if (code === undefined) throw new TypeError(`unknown revocation reason ${String(status.reason)}`);
      // revoked [1] IMPLICIT RevokedInfo { revocationTime, [0] EXPLICIT CRLReason OPTIONAL };
      // unspecified is left out, as in the CRL (RFC 5280 §5.3.1).
      const time = generalizedTime(floorToSecond(status.revokedAt));
      return code === 0
        ? tlv(contextConstructed(1), time)
        : tlv(contextConstructed(1), time, explicit(0, smallInteger(code, Tag.enumerated)));
    }
  }
}

/**
 * A successful OCSPResponse (RFC 6960 §4.2.1) holding a BasicOCSPResponse signed by the
 * responder: ResponderID byKey, the responder certificate in `certs`, all times whole seconds,
 * the nonce echoed when given.
 *
 * @throws TesseraError `ca.key_mismatch` when the signer's key is not the responder certificate's.
 */
export async function buildOcspResponse(params: BuildOcspResponseParams): Promise<Buffer> {
  const { signer, certificateDer } = params.responder;
  const facts = factsOf(certificateDer);
  assertSignerMatches(signer, facts.publicKey, "the OCSP responder certificate");
  const singles = params.responses.map((response) => {
    const parts = [
      response.certId.der,
      encodeStatus(response.status),
      generalizedTime(floorToSecond(response.thisUpdate)),
    ];
    if (response.nextUpdate) parts.push(explicit(0, generalizedTime(floorToSecond(response.nextUpdate))));
    return sequence(...parts);
  });
  const data = [facts.responderId, generalizedTime(floorToSecond(params.producedAt)), sequence(...singles)];
  if (params.nonce) data.push(explicit(1, sequence(extension(Oid.ocspNonce, false, params.nonce))));
  const tbsResponseData = sequence(...data);
  const signatureAlgorithm = signatureAlgorithmFor(signer.keyAlgorithm);
  const signature = await signer.sign(tbsResponseData);
  const basic = sequence(tbsResponseData, signatureAlgorithm.identifier, bitString(signature), facts.certs);
  return sequence(
    smallInteger(responseStatusCodes.successful, Tag.enumerated),
    explicit(0, sequence(oid(Oid.ocspBasic), octetString(basic))),
  );
}

/** An OCSPResponse with only an error status (RFC 6960 §4.2.1): it is not signed. */
export function buildOcspErrorResponse(status: OcspErrorStatus): Buffer {
  return sequence(smallInteger(responseStatusCodes[status], Tag.enumerated));
}

/** Parameters of {@link answerOcspRequest}. */
export interface AnswerOcspRequestParams {
  readonly request: Uint8Array;
  readonly ca: CaIdentity;
  readonly responder: OcspResponderKey;
  readonly now: Date;
  /** How long a response may be cached: its nextUpdate is `now` plus this. Omit for no nextUpdate. */
  readonly validitySeconds?: number;
  /** The status of a serial (lowercase hex) of `ca`; `unknown` when the CA never issued it. */
  readonly lookup: (serialHex: string) => Promise<OcspCertStatus> | OcspCertStatus;
}

/**
 * Answers a DER OCSP request: malformedRequest for bad input, `unknown` for CertIDs of another
 * issuer (RFC 6960 §2.2), otherwise the status `lookup` gives. Errors of `lookup` propagate: the
 * caller logs them and answers `buildOcspErrorResponse("internalError")`.
 */
export async function answerOcspRequest(params: AnswerOcspRequestParams): Promise<Buffer> {
  const parsed = parseOcspRequest(params.request);
  if (!parsed.ok) return buildOcspErrorResponse("malformedRequest");
  const now = floorToSecond(params.now);
  const nextUpdate =
    params.validitySeconds === undefined
      ? undefined
      : new Date(now.getTime() + params.validitySeconds * 1000);
  const responses: OcspSingleResponse[] = [];
  for (const certId of parsed.requests) {
    const status: OcspCertStatus = matchesCa(certId, params.ca)
      ? await params.lookup(certId.serialHex)
      : { kind: "unknown" };
    responses.push({ certId, status, thisUpdate: now, nextUpdate });
  }
  return buildOcspResponse({ responder: params.responder, producedAt: now, responses, nonce: parsed.nonce });
}

/** Parameters of {@link createOcspSigningCertificate}. */
export interface CreateOcspSigningCertificateParams {
  readonly ca: CaIdentity;
  readonly caSigner: Signer;
  /** The responder's public key, DER SubjectPublicKeyInfo. */
  readonly responderPublicKey: Uint8Array;
  /** INTEGER content octets (see `newSerial`). */
  readonly serial: Buffer;
  readonly notBefore: Date;
  /** Limited to the CA's notAfter. Keep it short: a no-check certificate cannot be revoked usefully. */
  readonly notAfter: Date;
  /** Default `CN=Tessera OCSP Responder`. */
  readonly subjectName?: string | readonly NameAttribute[];
}

/**
 * A delegated OCSP responder certificate (RFC 6960 §4.2.2.2): extendedKeyUsage id-kp-OCSPSigning,
 * keyUsage digitalSignature, and id-pkix-ocsp-nocheck (§4.2.2.2.1) so clients do not ask the
 * responder about itself.
 */
export async function createOcspSigningCertificate(
  params: CreateOcspSigningCertificateParams,
): Promise<Buffer> {
  const { ca, caSigner } = params;
  assertSignerMatches(caSigner, ca.publicKey);
  checkSerial(params.serial);
  const subjectName = params.subjectName ?? "CN=Tessera OCSP Responder";
  const subject = encodeName(
    typeof subjectName === "string" ? parseDistinguishedName(subjectName) : subjectName,
  );
  const key = readSubjectPublicKey(params.responderPublicKey);
  if (!key.keyAlgorithm) {
    throw new TesseraError(
      "certificate.public_key_mismatch",
      "The responder key is not ECDSA P-256/P-384 or RSA-2048/3072/4096.",
    );
  }
  const { notBefore, notAfter } = clampValidity(ca, params.notBefore, params.notAfter);
  const signatureAlgorithm = signatureAlgorithmFor(ca.keyAlgorithm);
  const tbs = encodeTbsCertificate({
    serial: params.serial,
    signatureAlgorithm,
    issuer: ca.subjectDer,
    notBefore,
    notAfter,
    subject,
    subjectPublicKeyInfo: key.spki,
    extensions: [
      keyUsageExtension([KeyUsageBit.digitalSignature]),
      extendedKeyUsageExtension([Oid.ocspSigning]),
      ocspNoCheckExtension(),
      subjectKeyIdentifierExtension(keyIdentifier(key.bits)),
      authorityKeyIdentifierExtension(ca.subjectKeyIdentifier),
    ],
  });
  return signTbsCertificate(tbs, signatureAlgorithm, caSigner);
}
