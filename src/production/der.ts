/**
 * The small part of DER (X.690 §10) that PKCS#12 needs, written by hand.
 *
 * Hand-written DER is several times faster than building ASN.1 object trees with pkijs or
 * @peculiar/asn1-schema (see DEPENDENCIES.md, "PKCS#12"), and it lets us control exactly
 * what the strict readers (GnuTLS) see: primitive OCTET STRINGs, definite lengths, sorted SETs.
 */

import { contextConstructed, contextPrimitive, derNull, oid, smallInteger, Tag, tlv } from "../pki/der.js";

// The encoder itself is the PKI's (src/pki/der.ts); these are the names PKCS#12 reads best in.

/** Tag, definite length, contents: one DER element. */
export const element = (tag: number, ...contents: readonly Buffer[]): Buffer => tlv(tag, ...contents);
export const sequence = (...contents: readonly Buffer[]): Buffer => tlv(Tag.sequence, ...contents);
export const octetString = (bytes: Buffer): Buffer => tlv(Tag.octetString, bytes);
export const nullValue: Buffer = derNull;
/** `[n] EXPLICIT`: a constructed context-specific wrapper. */
export const explicit = (n: number, ...contents: readonly Buffer[]): Buffer =>
  tlv(contextConstructed(n), ...contents);
/** `[n] IMPLICIT` of a primitive type (e.g. an OCTET STRING). */
export const implicitPrimitive = (n: number, bytes: Buffer): Buffer => tlv(contextPrimitive(n), bytes);

/** SET OF: DER orders the encoded members as octet strings (X.690 §11.6). */
export function setOf(...members: readonly Buffer[]): Buffer {
  return tlv(Tag.set, ...[...members].sort(Buffer.compare));
}

/** A non-negative INTEGER, minimal, with a leading zero byte when the high bit is set. */
export function integer(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
  return smallInteger(value);
}

/** An OBJECT IDENTIFIER from its dotted form (X.690 §8.19). */
export const objectIdentifier = (dotted: string): Buffer => oid(dotted);

/** BMPString (UTF-16BE), the type RFC 7292 §4.2 gives friendlyName. */
export function bmpString(text: string): Buffer {
  return element(0x1e, utf16be(text));
}

/** UTF-16BE code units of `text`, no terminator. */
export function utf16be(text: string): Buffer {
  const bytes = Buffer.from(text, "utf16le");
  bytes.swap16();
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Reading: just enough to walk a PFX and check its MAC.
// ---------------------------------------------------------------------------------------------

/** One element found in a buffer: its tag and where its contents start and end. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just after the last content byte (and so of the next element). */
  readonly end: number;
}

/** Thrown when the bytes are not the DER the reader expected. */
export class DerReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerReadError";
  }
}

/** Reads the element at `offset`, which must end at or before `limit`. */
export function readElement(bytes: Buffer, offset: number, limit: number = bytes.length): DerElement {
  if (offset + 2 > limit) throw new DerReadError("truncated element header");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerReadError("multi-byte tags are not used in PKCS#12");
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length === 0x80) throw new DerReadError("indefinite lengths are not DER");
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4 || start + count > limit) throw new DerReadError("bad length field");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerReadError("element runs past its container");
  return { tag, start, end };
}

/** The elements directly inside a constructed element. */
export function readChildren(bytes: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readElement(bytes, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Reads the element at `offset` and checks its tag. */
export function expectElement(bytes: Buffer, offset: number, tag: number, what: string, limit?: number) {
  const found = readElement(bytes, offset, limit);
  if (found.tag !== tag) {
    throw new DerReadError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${found.tag.toString(16)}`);
  }
  return found;
}

/** The contents of an element as a buffer (a view, not a copy). */
export const contentsOf = (bytes: Buffer, found: DerElement): Buffer =>
  bytes.subarray(found.start, found.end);

/** A non-negative INTEGER's value. */
export function readInteger(bytes: Buffer, found: DerElement): number {
  if (found.tag !== 0x02) throw new DerReadError("expected an INTEGER");
  const contents = contentsOf(bytes, found);
  if (contents.length === 0 || contents.length > 6 || (contents[0]! & 0x80) !== 0) {
    throw new DerReadError("INTEGER out of the supported range");
  }
  return contents.readUIntBE(0, contents.length);
}
