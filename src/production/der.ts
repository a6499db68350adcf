/**
 * The small part of DER (X.690 §10) that PKCS#12 needs, written by hand. Reading is the PKI's
 * one reader (`pki/der.ts`).
 *
 * Hand-written DER is several times faster than building ASN.1 object trees with pkijs or
 * @peculiar/asn1-schema (see DEPENDENCIES.md, "PKCS#12"), and it lets us control exactly
 * what the strict readers (GnuTLS) see: primitive OCTET STRINGs, definite lengths, sorted SETs.
 */

import { smallInteger, Tag, tlv } from "../pki/der.js";

// The encoder itself is the PKI's (src/pki/der.ts): `tlv`, `sequence`, `octetString`, `oid`,
// `derNull` come from there; these are what PKCS#12 needs beyond them.

/** SET OF: DER orders the encoded members as octet strings (X.690 §11.6). */
export function setOf(...members: readonly Buffer[]): Buffer {
  return tlv(Tag.set, ...[...members].sort(Buffer.compare));
}

/** A non-negative INTEGER, minimal, with a leading zero byte when the high bit is set. */
export function integer(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
  return smallInteger(value);
}

/** BMPString (UTF-16BE), the type RFC 7292 §4.2 gives friendlyName. */
export function bmpString(text: string): Buffer {
  return tlv(0x1e, utf16be(text));
}

/** UTF-16BE code units of `text`, no terminator. */
export function utf16be(text: string): Buffer {
  const bytes = Buffer.from(text, "utf16le");
  bytes.swap16();
  return bytes;
}
