/**
 * What a user's fields must be for a card to be made from them, checked when the person is
 * registered, imported or edited — not first in a batch, where a card that cannot be made fails
 * and nothing the production administrator can do mends it.
 *
 * Every template prints the same face and certifies the same subject, so the rules are the
 * templates' own (see `production/card-face.ts`, `production/pin-letters.ts` and
 * `pki/certificate-profiles.ts`):
 * - the name ("first last", or the name on card) is the certificate's commonName: at most 64
 *   characters (RFC 5280 Appendix A, ub-common-name);
 * - the name, title, organization and unit are printed on the card face, the name and the
 *   address lines on the PIN letter, in Helvetica, which has the characters of WinAnsiEncoding
 *   only (PDF 32000-1 Annex D.2: Latin-1 and 27 more, such as Š, Ž, Œ, €);
 * - the user principal name goes into subjectAltName as readable text: no control characters;
 * - the e-mail address is an rfc822Name, an ASCII mailbox whose domain labels start and end
 *   with a letter or digit (RFC 5321 §4.1.2).
 */

import { type CardTemplate, logonProblems } from "./card-template.js";

/** ub-common-name (RFC 5280 Appendix A): the most a certificate's commonName may hold. */
export const maxNameOnCardLength = 64;

/** Unicode code points that WinAnsiEncoding places at 0x80–0x9F. */
const winAnsiExtras = new Set([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e,
  0x0178,
]);

/** Whether the card's font (Helvetica in WinAnsiEncoding) has a glyph for `codePoint`. */
export function isPrintableOnCard(codePoint: number): boolean {
  return (
    (codePoint >= 0x20 && codePoint <= 0x7e) ||
    (codePoint >= 0xa0 && codePoint <= 0xff) ||
    winAnsiExtras.has(codePoint)
  );
}

/**
 * The characters of `text` the card cannot print, each once, as a person can read them: the
 * character itself, or its code (U+0009) when it is invisible. The text is taken in NFC, as it
 * is printed, so an "é" typed as e and a combining accent is the printable é.
 */
export function unprintableCharacters(text: string): string[] {
  const found = new Set<string>();
  for (const character of text.normalize("NFC")) {
    const codePoint = character.codePointAt(0)!;
    if (isPrintableOnCard(codePoint)) continue;
    found.add(
      /[\p{L}\p{N}\p{P}\p{S}]/u.test(character)
        ? character
        : `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`,
    );
  }
  return [...found];
}

/** The number of characters (code points) of `text`, as X.520's bounds count them. */
function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The fields a card is made from, as a user has them (optional ones null or left out). */
export interface CardFieldValues {
  /** The user's identifier: a PKINIT principal may be made from it. */
  readonly identifier?: string | undefined;
  readonly firstName: string;
  readonly lastName: string;
  readonly nameOnCard?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly organization?: string | null | undefined;
  readonly organizationalUnit?: string | null | undefined;
  readonly title?: string | null | undefined;
  readonly upn?: string | null | undefined;
  readonly sid?: string | null | undefined;
  readonly address?: readonly string[] | null | undefined;
}

/** One field that would keep a card from being made, and why, in an operator's words. */
export interface CardFieldProblem {
  /** The field as the API and the forms name it (`lastName`, `address.1`). */
  readonly path: string;
  readonly message: string;
}

/** The name a card shows and certifies: the name on card when there is one, else "first last". */
export function nameOnCardOf(user: CardFieldValues): string {
  return user.nameOnCard || `${user.firstName} ${user.lastName}`.trim();
}

/**
 * The name as the card face and the certificates take it, in two parts: the legal first and last
 * name, or the name on card split at its last space (a face that needs two lines for the name
 * puts the first part above the second; the certificate's commonName joins them again).
 */
export function printedNameOf(user: CardFieldValues): { firstName: string; lastName: string } {
  const name = user.nameOnCard?.trim();
  if (!name) return { firstName: user.firstName, lastName: user.lastName };
  const space = name.lastIndexOf(" ");
  return space < 0
    ? { firstName: "", lastName: name }
    : { firstName: name.slice(0, space).trimEnd(), lastName: name.slice(space + 1) };
}

const labels: Record<string, string> = {
  firstName: "first name",
  lastName: "last name",
  nameOnCard: "name on card",
  organization: "organization",
  organizationalUnit: "organizational unit",
  title: "title",
  address: "address line",
};

// An rfc822Name as the certificate issuer writes it (pki/certificate-profiles.ts).
const mailbox =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const controlOrSurrogate = /[\p{Cc}\p{Cs}]/u;

/**
 * Every field that would keep a card from being made, with why; none when a card can be made.
 * Lengths and forms of single fields are the request schema's; these are the rules of the card.
 */
export function cardFieldProblems(user: CardFieldValues): CardFieldProblem[] {
  const problems: CardFieldProblem[] = [];
  const unprintable = (path: string, text: string | null | undefined, remedy = "") => {
    if (!text) return false;
    const characters = unprintableCharacters(text);
    if (characters.length === 0) return false;
    const label = labels[path.split(".")[0]!]!;
    problems.push({
      path,
      message: `the ${label} holds ${characters.length === 1 ? "a character" : "characters"} the card cannot print (${characters.join(" ")})${remedy}`,
    });
    return true;
  };

  if (user.nameOnCard) {
    const length = characterCount(user.nameOnCard);
    if (length > maxNameOnCardLength)
      problems.push({
        path: "nameOnCard",
        message: `the name on card is ${length} characters long; a card holds at most ${maxNameOnCardLength}`,
      });
    unprintable("nameOnCard", user.nameOnCard, "; write it in Latin letters");
  } else {
    const name = nameOnCardOf(user);
    const length = characterCount(name);
    const remedy = "; give a name on card in Latin letters, as it should be printed";
    const firstUnprintable = unprintable("firstName", user.firstName, remedy);
    const lastUnprintable = unprintable("lastName", user.lastName, remedy);
    if (length > maxNameOnCardLength && !firstUnprintable && !lastUnprintable)
      problems.push({
        path: "nameOnCard",
        message: `the full name is ${length} characters long and a card holds at most ${maxNameOnCardLength}: give a shorter name on card, as it should be printed`,
      });
  }
  unprintable("title", user.title);
  unprintable("organization", user.organization);
  unprintable("organizationalUnit", user.organizationalUnit);
  for (const [i, line] of (user.address ?? []).entries()) unprintable(`address.${i}`, line);
  if (user.upn && controlOrSurrogate.test(user.upn))
    problems.push({
      path: "upn",
      message: "the user principal name holds control characters, which a certificate may not hold",
    });
  if (user.email && !mailbox.test(user.email))
    problems.push({
      path: "email",
      message:
        "a certificate cannot hold this e-mail address: only ASCII letters, digits and . _ + - before the @, and a domain whose parts start and end with a letter or digit",
    });
  return problems;
}

/**
 * The holder's fields no card of this template can be made from: those of
 * {@link cardFieldProblems}, and the logon identifiers (UPN, SID) its certificates require and
 * the holder lacks, or a UPN or identifier its Kerberos principal cannot be made from — which
 * fail the card in production the same way every time.
 */
export function cardProblemsFor(
  user: CardFieldValues,
  template: Pick<CardTemplate, "profiles"> | undefined,
): CardFieldProblem[] {
  const problems = cardFieldProblems(user);
  for (const problem of template ? logonProblems(user, template.profiles) : [])
    problems.push({ path: problem.field, message: problem.message });
  return problems;
}
