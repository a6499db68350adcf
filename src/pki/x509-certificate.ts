import { TesseraError } from "../domain/errors.js";
import {
  children,
  content,
  decodeOid,
  decodeTime,
  derError,
  expectTag,
  explicit,
  explicitNode,
  node,
  raw,
  readWhole,
  sequence,
  sequenceNode,
  smallInteger,
  Tag,
  x509Time,
} from "./der.js";
import { publicRandomBytes } from "./public-random.js";
import type { SignatureAlgorithm, Signer } from "./signer.js";

/** The fields of a `TBSCertificate` (RFC 5280 §4.1), each already DER-encoded where it is a structure. */
export interface TbsCertificateFields {
  /** The INTEGER content octets, checked by {@link checkSerial}. */
  readonly serial: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** DER `Name` of the issuer. */
  readonly issuer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER `Name` of the subject. */
  readonly subject: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** DER `Extension`s in the order they are written. */
  readonly extensions: readonly Uint8Array[];
}

// [0] EXPLICIT Version v3 (RFC 5280 §4.1.2.1: v3 when extensions are present).
const version3 = explicit(0, smallInteger(2));

/** DER TBSCertificate. */
export function encodeTbsCertificate(fields: TbsCertificateFields): Buffer {
  return sequence(
    version3,
    node(Tag.integer, fields.serial),
    fields.signatureAlgorithm.identifier,
    fields.issuer,
    sequenceNode(x509Time(fields.notBefore), x509Time(fields.notAfter)),
    fields.subject,
    fields.subjectPublicKeyInfo,
    explicitNode(3, sequenceNode(...fields.extensions)),
  );
}

/** The unused-bits octet of a BIT STRING of whole bytes. */
const noUnusedBits = Buffer.from([0]);

/** Signs a DER TBSCertificate and returns the DER Certificate (RFC 5280 §4.1.1). */
export async function signTbsCertificate(
  tbs: Buffer,
  signatureAlgorithm: SignatureAlgorithm,
  signer: Signer,
): Promise<Buffer> {
  const signature = await signer.sign(tbs);
  return sequence(tbs, signatureAlgorithm.identifier, node(Tag.bitString, noUnusedBits, signature));
}

/**
 * Checks a serial number given as INTEGER content octets: 1 to 20 octets (RFC 5280 §4.1.2.2),
 * positive (top bit clear) and minimal (no leading zero octet). Such a buffer is written as is,
 * so its hex is the serial that the CRL and OCSP report.
 *
 * @throws TesseraError `certificate.serial_invalid`.
 */
export function checkSerial(serial: Uint8Array): void {
  const first = serial[0];
  if (first === undefined || serial.length > 20 || first & 0x80 || first === 0) {
    throw new TesseraError("certificate.serial_invalid");
  }
}

/**
 * A fresh 16-byte serial number: the milliseconds since 1970 in its first six octets, then 80
 * random bits (CA/Browser Forum asks for at least 64). From 2004 to 6429 its first octet is neither
 * zero nor above 0x7f, so it is positive and its own minimal DER INTEGER encoding (RFC 5280 §4.1.2.2).
 *
 * Serials that grow with time are written next to each other in the certificates' indexes (by
 * serial, by state and serial): wholly random ones put a chunk's 500 certificates on nearly
 * every page of both, and every commit rewrote them all (see `store/row-ids.ts`).
 */
export function newSerial(now: number = Date.now()): Buffer {
  const serial = Buffer.alloc(16);
  serial.writeUIntBE(now, 0, 6);
  publicRandomBytes(10).copy(serial, 6);
  return serial;
}

/** Lowercase hex of a serial number's INTEGER content octets, as the CRL, OCSP and the store use it. */
export function serialToHex(serial: Uint8Array): string {
  return Buffer.from(serial).toString("hex");
}

/** One extension as read from a certificate. */
export interface ReadExtension {
  readonly critical: boolean;
  /** The extnValue content: the DER of the extension's own structure. */
  readonly value: Buffer;
}

/** A certificate's parts, as views into its DER (see RFC 5280 §4.1). */
export interface ReadCertificate {
  readonly der: Buffer;
  /** The whole TBSCertificate TLV: what the signature covers. */
  readonly tbs: Buffer;
  /** 1, 2 or 3. */
  readonly version: number;
  /** INTEGER content octets. */
  readonly serial: Buffer;
  /** DER `Name`. */
  readonly issuer: Buffer;
  /** DER `Name`. */
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo as written. */
  readonly subjectPublicKeyInfo: Buffer;
  /** Extensions by dotted OID. */
  readonly extensions: ReadonlyMap<string, ReadExtension>;
  /** Dotted OID of the outer signatureAlgorithm. */
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
}

/**
 * Reads a DER certificate strictly enough to trust its parts (definite lengths, known
 * structure, the inner and outer signature algorithms equal, no duplicate extension).
 *
 * @throws TesseraError `der.malformed` when it is not such a certificate.
 */
export function readCertificate(input: Uint8Array): ReadCertificate {
  const der = Buffer.from(input);
  const [tbsElement, outerAlgorithm, signatureElement, extra] = children(der, readWhole(der, Tag.sequence));
  if (extra) throw derError("extra fields after the signature");
  const tbsFields = children(der, expectTag(tbsElement, Tag.sequence, "tbsCertificate"));
  let index = 0;
  let version = 1;
  if (tbsFields[0]?.tag === 0xa0) {
    const [versionInteger] = children(der, tbsFields[0]);
    const versionBytes = content(der, expectTag(versionInteger, Tag.integer, "version"));
    if (versionBytes.length !== 1 || versionBytes[0]! > 2) throw derError("bad version");
    version = versionBytes[0]! + 1;
    index = 1;
  }
  const serial = content(der, expectTag(tbsFields[index++], Tag.integer, "serialNumber"));
  const innerAlgorithm = raw(der, expectTag(tbsFields[index++], Tag.sequence, "signature"));
  const issuer = raw(der, expectTag(tbsFields[index++], Tag.sequence, "issuer"));
  const [notBefore, notAfter] = children(der, expectTag(tbsFields[index++], Tag.sequence, "validity"));
  if (!notBefore || !notAfter) throw derError("validity is incomplete");
  const subject = raw(der, expectTag(tbsFields[index++], Tag.sequence, "subject"));
  const spki = raw(der, expectTag(tbsFields[index++], Tag.sequence, "subjectPublicKeyInfo"));
  const extensions = new Map<string, ReadExtension>();
  for (const field of tbsFields.slice(index)) {
    if (field.tag === 0x81 || field.tag === 0x82) continue; // issuerUniqueID, subjectUniqueID
    if (field.tag !== 0xa3 || version !== 3) throw derError("unexpected field in tbsCertificate");
    const [list] = children(der, field);
    for (const item of children(der, expectTag(list, Tag.sequence, "extensions"))) {
      const parts = children(der, expectTag(item, Tag.sequence, "extension"));
      const extnId = decodeOid(content(der, expectTag(parts[0], Tag.oid, "extnID")));
      let critical = false;
      let valueElement = parts[1];
      if (valueElement?.tag === Tag.boolean) {
        critical = content(der, valueElement)[0] === 0xff;
        valueElement = parts[2];
      }
      const value = content(der, expectTag(valueElement, Tag.octetString, "extnValue"));
      if (extensions.has(extnId)) throw derError(`duplicate extension ${extnId}`);
      extensions.set(extnId, { critical, value });
    }
  }
  const outer = raw(der, expectTag(outerAlgorithm, Tag.sequence, "signatureAlgorithm"));
  if (!outer.equals(innerAlgorithm)) throw derError("signature algorithms differ");
  const [algorithmOid] = children(der, expectTag(outerAlgorithm, Tag.sequence, "signatureAlgorithm"));
  const signatureBits = content(der, expectTag(signatureElement, Tag.bitString, "signatureValue"));
  if (signatureBits[0] !== 0) throw derError("signature has unused bits");
  return {
    der,
    tbs: raw(der, tbsElement!),
    version,
    serial,
    issuer,
    subject,
    notBefore: decodeTime(der, notBefore),
    notAfter: decodeTime(der, notAfter),
    subjectPublicKeyInfo: spki,
    extensions,
    signatureAlgorithm: decodeOid(content(der, expectTag(algorithmOid, Tag.oid, "algorithm"))),
    signature: signatureBits.subarray(1),
  };
}
