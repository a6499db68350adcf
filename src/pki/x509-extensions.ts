import { hash } from "node:crypto";
import {
  contextPrimitive,
  derNull,
  derTrue,
  explicit,
  namedBitString,
  octetString,
  oid,
  sequence,
  smallInteger,
  Tag,
  tlv,
} from "./der.js";
import { Oid } from "./oids.js";

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  /** Called contentCommitment in recent X.509 editions. */
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** One DER `Extension` (RFC 5280 §4.1): critical is written only when true (DER omits defaults). */
export function extension(extnId: string, critical: boolean, value: Uint8Array): Buffer {
  return critical
    ? sequence(oid(extnId), derTrue, octetString(value))
    : sequence(oid(extnId), octetString(value));
}

/** keyUsage, critical as RFC 5280 §4.2.1.3 recommends. */
export function keyUsageExtension(bits: readonly number[]): Buffer {
  return extension(Oid.keyUsage, true, namedBitString(bits));
}

/** extendedKeyUsage (RFC 5280 §4.2.1.12), non-critical. */
export function extendedKeyUsageExtension(purposes: readonly string[]): Buffer {
  return extension(Oid.extKeyUsage, false, sequence(...purposes.map((purpose) => oid(purpose))));
}

/** basicConstraints, critical (RFC 5280 §4.2.1.9: MUST be critical in CA certificates). */
export function basicConstraintsExtension(ca: boolean, pathLength?: number): Buffer {
  if (!ca) return extension(Oid.basicConstraints, true, sequence());
  const parts = [derTrue];
  if (pathLength !== undefined) parts.push(smallInteger(pathLength));
  return extension(Oid.basicConstraints, true, sequence(...parts));
}

/**
 * The key identifier of RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT
 * STRING value (without tag, length and unused-bits octet).
 */
export function keyIdentifier(subjectPublicKeyBits: Uint8Array): Buffer {
  return hash("sha1", subjectPublicKeyBits, "buffer");
}

/** subjectKeyIdentifier (RFC 5280 §4.2.1.2), non-critical. */
export function subjectKeyIdentifierExtension(id: Uint8Array): Buffer {
  return extension(Oid.subjectKeyIdentifier, false, octetString(id));
}

/** authorityKeyIdentifier with only keyIdentifier `[0]` (RFC 5280 §4.2.1.1), non-critical. */
export function authorityKeyIdentifierExtension(id: Uint8Array): Buffer {
  return extension(Oid.authorityKeyIdentifier, false, sequence(tlv(contextPrimitive(0), id)));
}

/** A GeneralName uniformResourceIdentifier `[6] IA5String` (RFC 5280 §4.2.1.6). */
export const uriName = (uri: string): Buffer => tlv(contextPrimitive(6), Buffer.from(uri, "latin1"));
/** A GeneralName rfc822Name `[1] IA5String`. */
export const emailName = (email: string): Buffer => tlv(contextPrimitive(1), Buffer.from(email, "latin1"));
/** A GeneralName otherName `[0] { type-id, [0] EXPLICIT UTF8String }` for a Microsoft UPN. */
export const upnName = (upn: string): Buffer =>
  explicit(0, oid(Oid.userPrincipalName), explicit(0, tlv(Tag.utf8String, Buffer.from(upn, "utf8"))));

/** The subjectAltName URL form of a SID that Windows maps strongly (KB5014754). */
export const sidUrlName = (sid: string): Buffer => uriName(`tag:microsoft.com,2022-09-14:sid:${sid}`);

/**
 * Microsoft's SID extension (KB5014754), non-critical, as its CAs write it: one otherName
 * `{ 1.3.6.1.4.1.311.25.2.1, [0] EXPLICIT OCTET STRING }` holding the SID's text form.
 */
export function sidExtension(sid: string): Buffer {
  return extension(
    Oid.ntdsCaSecurity,
    false,
    sequence(explicit(0, oid(Oid.ntdsObjectSid), explicit(0, octetString(Buffer.from(sid, "latin1"))))),
  );
}

/** KerberosString: a GeneralString restricted to IA5 characters (RFC 4120 §5.2.1). */
const kerberosString = (text: string): Buffer => tlv(0x1b, Buffer.from(text, "latin1"));
/** NT-PRINCIPAL, the name type of a user (RFC 4120 §6.2). */
const ntPrincipal = 1;

/**
 * A GeneralName otherName id-pkinit-san holding `KRB5PrincipalName ::= SEQUENCE { realm [0] Realm,
 * principalName [1] PrincipalName }` (RFC 4556 §3.2.2; the Kerberos module tags EXPLICIT).
 */
export function pkinitPrincipalName(realm: string, nameStrings: readonly string[]): Buffer {
  const principalName = sequence(
    explicit(0, smallInteger(ntPrincipal)),
    explicit(1, sequence(...nameStrings.map(kerberosString))),
  );
  const krb5PrincipalName = sequence(explicit(0, kerberosString(realm)), explicit(1, principalName));
  return explicit(0, oid(Oid.pkinitSan), explicit(0, krb5PrincipalName));
}

/** subjectAltName (RFC 5280 §4.2.1.6), non-critical because the subject is never empty. */
export function subjectAltNameExtension(names: readonly Uint8Array[]): Buffer {
  return extension(Oid.subjectAltName, false, sequence(...names));
}

/** cRLDistributionPoints with one fullName URI (RFC 5280 §4.2.1.13), non-critical. */
export function crlDistributionPointsExtension(uri: string): Buffer {
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  return extension(
    Oid.crlDistributionPoints,
    false,
    sequence(sequence(explicit(0, explicit(0, uriName(uri))))),
  );
}

/** authorityInfoAccess with OCSP and caIssuers URIs (RFC 5280 §4.2.2.1), non-critical. */
export function authorityInfoAccessExtension(ocspUri: string, caIssuersUri: string): Buffer {
  return extension(
    Oid.authorityInfoAccess,
    false,
    sequence(
      sequence(oid(Oid.accessOcsp), uriName(ocspUri)),
      sequence(oid(Oid.accessCaIssuers), uriName(caIssuersUri)),
    ),
  );
}

/** id-pkix-ocsp-nocheck with a NULL value (RFC 6960 §4.2.2.2.1), non-critical. */
export function ocspNoCheckExtension(): Buffer {
  return extension(Oid.ocspNoCheck, false, derNull);
}
