import { TesseraError } from "../domain/errors.js";
import { oid, sequence, set, Tag, tlv } from "./der.js";
import { Oid } from "./oids.js";

/** The name attribute types Tessera writes, by their RFC 4514 short names. */
export type NameAttributeType = "C" | "ST" | "L" | "O" | "OU" | "CN" | "serialNumber" | "DC";

/** One attribute of a distinguished name; each becomes its own RDN. */
export interface NameAttribute {
  readonly type: NameAttributeType;
  readonly value: string;
}

interface AttributeRule {
  readonly oid: string;
  /** Upper bound in characters (RFC 5280 Appendix A, `ub-*`). */
  readonly max: number;
  readonly min: number;
  /** The string type X.520 and RFC 5280 §4.1.2.4 prescribe for new certificates. */
  readonly stringTag: number;
  /** The field name reported in error details. */
  readonly field: string;
}

const rules: Record<NameAttributeType, AttributeRule> = {
  // countryName and serialNumber are PrintableString by definition in X.520.
  C: { oid: Oid.country, min: 2, max: 2, stringTag: Tag.printableString, field: "country" },
  ST: { oid: Oid.stateOrProvince, min: 1, max: 128, stringTag: Tag.utf8String, field: "stateOrProvince" },
  L: { oid: Oid.locality, min: 1, max: 128, stringTag: Tag.utf8String, field: "locality" },
  O: { oid: Oid.organization, min: 1, max: 64, stringTag: Tag.utf8String, field: "organization" },
  OU: {
    oid: Oid.organizationalUnit,
    min: 1,
    max: 64,
    stringTag: Tag.utf8String,
    field: "organizationalUnit",
  },
  CN: { oid: Oid.commonName, min: 1, max: 64, stringTag: Tag.utf8String, field: "commonName" },
  serialNumber: {
    oid: Oid.serialNumber,
    min: 1,
    max: 64,
    stringTag: Tag.printableString,
    field: "serialNumber",
  },
  // RFC 4519 §2.4: domainComponent is an IA5String; one DNS label is at most 63 octets.
  DC: { oid: Oid.domainComponent, min: 1, max: 63, stringTag: Tag.ia5String, field: "domainComponent" },
};

// PrintableString's alphabet (X.680 §41.4).
const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const ia5 = /^[\x20-\x7e]*$/;
// Control characters and lone UTF-16 surrogates have no place in a name a person reads.
const forbiddenInText = /[\p{Cc}\p{Cs}]/u;

/** Whether `value` is text a person can read: no control characters, no lone surrogates. */
export function isPlainText(value: string): boolean {
  return !forbiddenInText.test(value);
}

/** The number of Unicode characters (code points) in `value`. */
function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Checks a value against the rules of its attribute (length bounds of X.520 / RFC 5280
 * Appendix A and the alphabet of its string type); `field` names it in the error.
 *
 * @throws TesseraError `certificate.subject_too_long` or `certificate.subject_invalid`.
 */
export function checkAttributeValue(type: NameAttributeType, value: string, field = rules[type].field): void {
  const rule = rules[type];
  if (value.length > rule.max && characterCount(value) > rule.max) {
    throw new TesseraError(
      "certificate.subject_too_long",
      `The ${field} is longer than ${rule.max} characters.`,
      { field, max: rule.max },
    );
  }
  const valid =
    value.length >= rule.min &&
    value.trim().length > 0 &&
    (type !== "C" || /^[A-Z]{2}$/.test(value)) &&
    (rule.stringTag === Tag.printableString
      ? printable.test(value)
      : rule.stringTag === Tag.ia5String
        ? ia5.test(value)
        : isPlainText(value));
  if (!valid) {
    const alphabet =
      rule.stringTag === Tag.printableString
        ? " (letters, digits, space and ' ( ) + , - . / : = ? only)"
        : rule.stringTag === Tag.ia5String
          ? " (ASCII only)"
          : "";
    throw new TesseraError(
      "certificate.subject_invalid",
      `The ${field} is empty or holds characters it may not hold${alphabet}.`,
      { field },
    );
  }
}

/** One `RelativeDistinguishedName` (a SET of one AttributeTypeAndValue), after checking the value. */
export function encodeAttribute(type: NameAttributeType, value: string, field?: string): Buffer {
  checkAttributeValue(type, value, field);
  const rule = rules[type];
  const bytes = Buffer.from(value, rule.stringTag === Tag.utf8String ? "utf8" : "latin1");
  return set(sequence(oid(rule.oid), tlv(rule.stringTag, bytes)));
}

/** A DER `Name` (RDNSequence) with one RDN per attribute, in the order given (most significant first). */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  return sequence(...attributes.map((attribute) => encodeAttribute(attribute.type, attribute.value)));
}

const shortNames = new Map<string, NameAttributeType>([
  ["C", "C"],
  ["ST", "ST"],
  ["L", "L"],
  ["O", "O"],
  ["OU", "OU"],
  ["CN", "CN"],
  ["SERIALNUMBER", "serialNumber"],
  ["DC", "DC"],
]);

/**
 * Parses an RFC 4514 string such as `CN=Tessera Demo CA,O=Tessera` into attributes in X.509
 * order. RFC 4514 §2.1 writes the last RDN first, so the result is reversed: the example gives
 * `O=Tessera` then `CN=Tessera Demo CA`. Escapes (`\,`, `\2C`) are honoured; multi-valued RDNs
 * (`+`) and attribute types other than C, ST, L, O, OU, CN, serialNumber and DC are refused.
 *
 * @throws TesseraError `ca.subject_invalid` on bad syntax, or the errors of {@link checkAttributeValue}.
 */
export function parseDistinguishedName(text: string): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new TesseraError("ca.subject_invalid", `The distinguished name "${text}" is not valid: ${reason}.`);
  };
  while (i < text.length) {
    const equals = text.indexOf("=", i);
    if (equals < 0) fail("each part must be TYPE=value");
    const typeText = text.slice(i, equals).trim().toUpperCase();
    const type = shortNames.get(typeText) ?? fail(`unknown attribute type "${typeText}"`);
    i = equals + 1;
    const bytes: number[] = [];
    let done = false;
    while (i < text.length && !done) {
      const ch = text[i]!;
      if (ch === "\\") {
        const next = text.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(next)) {
          bytes.push(Number.parseInt(next, 16));
          i += 3;
        } else if (i + 1 < text.length && ' "#+,;<=>\\'.includes(text[i + 1]!)) {
          bytes.push(text.charCodeAt(i + 1));
          i += 2;
        } else {
          fail("bad escape");
        }
      } else if (ch === ",") {
        done = true;
        i++;
      } else if (ch === "+") {
        fail("multi-valued RDNs are not supported");
      } else {
        const character = String.fromCodePoint(text.codePointAt(i)!);
        bytes.push(...Buffer.from(character, "utf8"));
        i += character.length;
      }
    }
    const value = Buffer.from(bytes).toString("utf8").trim();
    if (value.length === 0) fail(`the ${typeText} value is empty`);
    attributes.push({ type, value });
    if (done && i >= text.length) fail("trailing comma");
  }
  if (attributes.length === 0) fail("it is empty");
  attributes.reverse();
  for (const attribute of attributes) checkAttributeValue(attribute.type, attribute.value);
  return attributes;
}
