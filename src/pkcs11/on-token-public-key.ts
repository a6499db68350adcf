import pkcs11js from "pkcs11js";
import type { KeyAlgorithm } from "../domain/card-template.js";
import {
  bitString,
  content,
  derNull,
  oid,
  readWhole,
  sequence,
  Tag,
  tlv,
  unsignedToContent,
} from "../pki/der.js";
import { Oid } from "../pki/oids.js";
import { readSubjectPublicKey, type SubjectPublicKey } from "../pki/subject-public-key.js";
import { curveOids } from "./key-pair-templates.js";

const pointSizes: Readonly<Partial<Record<KeyAlgorithm, number>>> = { "P-256": 65, "P-384": 97 };

/**
 * The uncompressed point of CKA_EC_POINT. PKCS#11 says it is DER-encoded (an OCTET STRING, as
 * SoftHSM returns it); some modules return the bare point. Both start with 0x04, so the length
 * of an uncompressed point tells them apart.
 */
export function ecPointOf(value: Buffer, keyAlgorithm: KeyAlgorithm): Buffer {
  if (value.length === pointSizes[keyAlgorithm]) return value;
  return content(value, readWhole(value, Tag.octetString));
}

/**
 * The public key (DER SubjectPublicKeyInfo and its bits) of a public key object on a token, read from its attributes
 * (EC: CKA_EC_POINT on the profile's curve; RSA: CKA_MODULUS and CKA_PUBLIC_EXPONENT) and
 * validated by pki (a point on its curve, a well-formed modulus).
 *
 * @throws TesseraError `der.malformed` or `certificate.public_key_invalid` for what the token returned.
 */
export function publicKeyOf(
  api: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  publicKey: pkcs11js.Handle,
  keyAlgorithm: KeyAlgorithm,
): SubjectPublicKey {
  const curve = curveOids[keyAlgorithm];
  if (curve) {
    const [point] = api.C_GetAttributeValue(session, publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    const algorithm = sequence(oid(Oid.ecPublicKey), oid(curve));
    return readSubjectPublicKey(
      sequence(algorithm, bitString(ecPointOf(point!.value as Buffer, keyAlgorithm))),
    );
  }
  const [modulus, exponent] = api.C_GetAttributeValue(session, publicKey, [
    { type: pkcs11js.CKA_MODULUS },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT },
  ]);
  const integer = (bytes: Buffer) =>
    tlv(Tag.integer, unsignedToContent(BigInt(`0x${bytes.toString("hex")}`)));
  // RFC 8017 §A.1.1 RSAPublicKey inside an rsaEncryption SubjectPublicKeyInfo (RFC 3279 §2.3.1).
  const rsaPublicKey = sequence(integer(modulus!.value as Buffer), integer(exponent!.value as Buffer));
  return readSubjectPublicKey(sequence(sequence(oid(Oid.rsaEncryption), derNull), bitString(rsaPublicKey)));
}
