/**
 * Minimal, strict DER (X.690 §10) encoding and decoding.
 *
 * Tessera encodes its certificates, CRLs and OCSP responses by hand: the fixed parts are encoded
 * once and reused, so issuance costs little more than the signature (see DEPENDENCIES.md,
 * "Certificate issuance speed"). The reader accepts only definite, minimal lengths and
 * single-byte tags, which is all that X.509, CRLs and OCSP use; anything else is a `der.malformed` {@link TesseraError}.
 */

import { TesseraError } from "../domain/errors.js";

/** Universal and context tags used in X.509 (X.680 §8.4). */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Context-specific constructed tag `[n]` (EXPLICIT, or IMPLICIT of a constructed type). */
export const contextConstructed = (n: number): number => 0xa0 | n;
/** Context-specific primitive tag `[n]` (IMPLICIT of a primitive type). */
export const contextPrimitive = (n: number): number => 0x80 | n;

/** The error for bytes that are not the DER the caller expected; the message says what is wrong. */
export function derError(message: string): TesseraError {
  return new TesseraError("der.malformed", message);
}

/** Whether `error` is the reader's refusal of malformed DER (and not, say, a bug). */
export function isDerError(error: unknown): error is TesseraError {
  return error instanceof TesseraError && error.code === "der.malformed";
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Number of bytes of the DER length field for `length`. */
export function lengthOfLength(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Writes tag and length at `offset` of `out`; returns the offset after them. */
export function writeHeader(out: Buffer, offset: number, tag: number, length: number): number {
  out[offset++] = tag;
  if (length < 0x80) {
    out[offset++] = length;
    return offset;
  }
  const n = lengthOfLength(length) - 1;
  out[offset++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) out[offset++] = (length >>> (8 * i)) & 0xff;
  return offset;
}

/** The tag and length octets of an element with `length` content octets. */
export function header(tag: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(1 + lengthOfLength(length));
  writeHeader(out, 0, tag, length);
  return out;
}

/**
 * An element whose bytes are not written yet: its tag, its parts and its encoded length, known
 * from the moment it is made. Nesting nodes copies nothing; {@link encodeNode} (or a {@link tlv}
 * around them) writes the whole tree into one buffer, each byte once. A structure built with
 * `tlv` level by level instead allocates and copies its content again at every level, which for
 * a PKCS#12 file (certificates five levels deep, then encrypted and wrapped again) was a good
 * part of its cost besides the crypto, and of the garbage.
 */
export class DerNode {
  readonly tag: number;
  readonly parts: readonly DerPart[];
  /** Content octets. */
  readonly contentLength: number;
  /** Tag, length and content octets. */
  readonly length: number;

  constructor(tag: number, parts: readonly DerPart[]) {
    let contentLength = 0;
    for (const part of parts) contentLength += part.length;
    this.tag = tag;
    this.parts = parts;
    this.contentLength = contentLength;
    this.length = 1 + lengthOfLength(contentLength) + contentLength;
  }
}

/** What an element's content is made of: bytes already encoded, or elements still to be written. */
export type DerPart = Uint8Array | DerNode;

/** An element whose content is the concatenation of `parts`, written only when encoded. */
export const node = (tag: number, ...parts: DerPart[]): DerNode => new DerNode(tag, parts);
export const sequenceNode = (...parts: DerPart[]): DerNode => new DerNode(Tag.sequence, parts);
export const octetStringNode = (content: DerPart): DerNode => new DerNode(Tag.octetString, [content]);
export const explicitNode = (n: number, ...parts: DerPart[]): DerNode =>
  new DerNode(contextConstructed(n), parts);

/** Writes `parts` one after the other at `offset` of `out`; returns the offset after them. */
function writeParts(out: Buffer, offset: number, parts: readonly DerPart[]): number {
  for (const part of parts) {
    if (part instanceof DerNode) {
      offset = writeParts(out, writeHeader(out, offset, part.tag, part.contentLength), part.parts);
    } else {
      out.set(part, offset);
      offset += part.length;
    }
  }
  return offset;
}

/** The DER of `element`, in one buffer of exactly its length. */
export function encodeNode(element: DerNode): Buffer {
  const out = Buffer.allocUnsafe(element.length);
  writeParts(out, 0, [element]);
  return out;
}

/** One TLV whose content is the concatenation of `parts` (nodes among them are written in place). */
export function tlv(tag: number, ...parts: DerPart[]): Buffer {
  return encodeNode(new DerNode(tag, parts));
}

export const sequence = (...parts: DerPart[]): Buffer => tlv(Tag.sequence, ...parts);
export const set = (...parts: DerPart[]): Buffer => tlv(Tag.set, ...parts);
export const octetString = (content: DerPart): Buffer => tlv(Tag.octetString, content);
export const explicit = (n: number, ...parts: DerPart[]): Buffer => tlv(contextConstructed(n), ...parts);
export const derNull: Buffer = Buffer.from([Tag.null, 0]);
export const derTrue: Buffer = Buffer.from([Tag.boolean, 1, 0xff]);

/** A BIT STRING holding whole bytes (unused bits 0), e.g. a signature or a public key. */
export const bitString = (content: Uint8Array): Buffer => tlv(Tag.bitString, Buffer.from([0]), content);

/** A small non-negative INTEGER or ENUMERATED (X.690 §8.3: two's complement, minimal). */
export function smallInteger(value: number, tag: number = Tag.integer): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw derError(`not a non-negative integer: ${value}`);
  return tlv(tag, unsignedToContent(BigInt(value)));
}

/** INTEGER content octets of a non-negative bigint: minimal, with a 0x00 when the top bit is set. */
export function unsignedToContent(value: bigint): Buffer {
  if (value < 0n) throw derError("negative integer");
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  const bytes = Buffer.from(hex, "hex");
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/**
 * A named BIT STRING such as KeyUsage (X.690 §11.2.2: trailing zero bits are removed and the
 * unused-bits count says how many bits of the last octet are padding).
 */
export function namedBitString(bits: readonly number[]): Buffer {
  if (bits.length === 0) return Buffer.from([Tag.bitString, 1, 0]);
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc((highest >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (highest & 7);
  return tlv(Tag.bitString, Buffer.from([unused]), bytes);
}

const oidCache = new Map<string, Buffer>();

/** An OBJECT IDENTIFIER TLV from dotted notation (cached: OIDs repeat). */
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw derError(`bad OID ${dotted}`);
    return BigInt(arc);
  });
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! > 39n))
    throw derError(`bad OID ${dotted}`);
  const bytes: number[] = [];
  const pushArc = (arc: bigint) => {
    const groups = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) groups.unshift(Number(rest & 0x7fn) | 0x80);
    bytes.push(...groups);
  };
  pushArc(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  const encoded = tlv(Tag.oid, Buffer.from(bytes));
  oidCache.set(dotted, encoded);
  return encoded;
}

/** Dotted notation of OID content octets; throws on a non-minimal arc. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw derError("empty OID");
  const arcs: bigint[] = [];
  let value = 0n;
  let started = false;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (!started && byte === 0x80) throw derError("non-minimal OID arc");
    started = true;
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
      started = false;
    } else if (i === content.length - 1) {
      throw derError("truncated OID arc");
    }
  }
  const first = arcs[0]!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join(".");
}

const pad2 = (n: number): string => (n < 10 ? "0" + n : String(n));

function checkDate(date: Date): void {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw derError("invalid date");
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw derError(`date out of range: ${date.toISOString()}`);
}

/** `YYYYMMDDHHMMSSZ`: GeneralizedTime content, floored to whole seconds (RFC 5280 §4.1.2.5.2). */
export function generalizedTimeString(date: Date): string {
  checkDate(date);
  return (
    String(date.getUTCFullYear()) +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    "Z"
  );
}

/** A GeneralizedTime TLV without fractional seconds (OCSP, RFC 6960 §4.2.1, and dates from 2050). */
export function generalizedTime(date: Date): Buffer {
  return tlv(Tag.generalizedTime, Buffer.from(generalizedTimeString(date), "latin1"));
}

/**
 * An X.509 `Time`: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5 for
 * certificates, §5.1.2.4 for CRLs), floored to whole seconds.
 */
export function x509Time(date: Date): Buffer {
  checkDate(date);
  if (date.getUTCFullYear() >= 2050) return generalizedTime(date);
  return tlv(Tag.utcTime, Buffer.from(generalizedTimeString(date).slice(2), "latin1"));
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/** One decoded element: positions are offsets into the buffer it was read from. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset after the last content octet. */
  readonly end: number;
}

/** Reads the element starting at `offset`, which must end at or before `limit`. */
export function readElement(buf: Uint8Array, offset: number, limit: number = buf.length): DerElement {
  if (offset + 2 > limit) throw derError("truncated element");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw derError("multi-byte tags are not supported");
  let lengthByte = buf[offset + 1]!;
  let contentStart = offset + 2;
  let length: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
  } else {
    lengthByte &= 0x7f;
    if (lengthByte === 0) throw derError("indefinite length is not DER");
    if (lengthByte > 4) throw derError("length too large");
    if (contentStart + lengthByte > limit) throw derError("truncated length");
    length = 0;
    for (let i = 0; i < lengthByte; i++) length = length * 256 + buf[contentStart + i]!;
    contentStart += lengthByte;
    // X.690 §10.1: the definite form must use the fewest octets.
    if (length < 0x80 || lengthOfLength(length) !== lengthByte + 1) throw derError("non-minimal length");
  }
  const end = contentStart + length;
  if (end > limit) throw derError("element runs past its container");
  return { tag, start: offset, contentStart, end };
}

/** Reads `buf` as exactly one element with tag `tag`. */
export function readWhole(buf: Uint8Array, tag: number): DerElement {
  const element = readElement(buf, 0);
  if (element.tag !== tag)
    throw derError(`expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  if (element.end !== buf.length) throw derError("trailing bytes after element");
  return element;
}

/** The elements directly inside a constructed element. */
export function children(buf: Uint8Array, parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw derError("not a constructed element");
  const result: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(buf, offset, parent.end);
    result.push(child);
    offset = child.end;
  }
  return result;
}

/** Throws unless `element` has tag `tag`; returns it for chaining. */
export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element) throw derError(`${what} is missing`);
  if (element.tag !== tag) throw derError(`${what}: unexpected tag 0x${element.tag.toString(16)}`);
  return element;
}

/** The content octets of an element (a view, not a copy). */
export function content(buf: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + element.contentStart, element.end - element.contentStart);
}

/** The whole TLV of an element (a view, not a copy). */
export function raw(buf: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + element.start, element.end - element.start);
}

/** The value of a small non-negative INTEGER (at most 6 content octets: a safe JavaScript integer). */
export function readSmallInteger(buf: Uint8Array, element: DerElement): number {
  if (element.tag !== Tag.integer) throw derError("expected an INTEGER");
  const bytes = content(buf, element);
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0)
    throw derError("INTEGER out of the supported range");
  return bytes.readUIntBE(0, bytes.length);
}

/** Parses UTCTime or GeneralizedTime content (`Z` form, whole seconds, as RFC 5280 requires). */
export function decodeTime(buf: Uint8Array, element: DerElement): Date {
  const text = Buffer.from(content(buf, element)).toString("latin1");
  let match: RegExpExecArray | null;
  let year: number;
  if (element.tag === Tag.utcTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw derError("bad UTCTime");
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (element.tag === Tag.generalizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw derError("bad GeneralizedTime");
    year = Number(match[1]);
  } else {
    throw derError("not a time");
  }
  const date = new Date(
    Date.UTC(
      year,
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    ),
  );
  if (date.getUTCFullYear() !== year || date.getUTCDate() !== Number(match[3])) throw derError("bad date");
  return date;
}
