import { isPrintableOnCard } from "../domain/card-fields.js";
import { TesseraError } from "../domain/errors.js";

/**
 * Text for the standard PDF fonts.
 *
 * The card face and the letters use Helvetica, one of the 14 standard fonts every PDF reader and
 * card printer has, so nothing is embedded or downloaded. Those fonts are written in
 * WinAnsiEncoding (PDF 32000-1 Annex D.2): Latin-1 plus 27 characters such as Š, Ž, Œ and €.
 * pdfkit does not check this: any other character silently comes out as wrong glyphs, and a
 * wrong name on an identity card is worse than a card that fails with a reason. So text is
 * checked here and a card that cannot be printed faithfully is refused.
 */

/** Whether Helvetica in WinAnsiEncoding has a glyph for the code point: the domain's one table. */
export const isWinAnsi = isPrintableOnCard;

/**
 * `value` in NFC with runs of white space made single spaces, or a `production.text_unprintable`
 * error naming `field` and the characters Helvetica cannot show.
 */
export function printableText(value: string, field: string): string {
  const text = value.normalize("NFC").replace(/\s+/g, " ").trim();
  const unprintable = new Set<string>();
  for (const character of text) {
    if (!isWinAnsi(character.codePointAt(0)!)) unprintable.add(character);
  }
  if (unprintable.size > 0) {
    const characters = [...unprintable].join("");
    throw new TesseraError(
      "production.text_unprintable",
      `The ${field} contains characters the standard PDF fonts cannot print: ${characters}`,
      { field, characters },
    );
  }
  return text;
}

/** Like {@link printableText} for an optional field: blank becomes `undefined`. */
export function optionalPrintableText(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const text = printableText(value, field);
  return text === "" ? undefined : text;
}

/**
 * A card number as printed and encoded in the barcode: 1 to 24 digits, as
 * `domain/card-number.ts` makes them (prefix, running number, Luhn check digit). Digits also
 * keep the number on one line of the card at any length the templates allow.
 */
export function cardNumberText(value: string): string {
  if (typeof value !== "string" || !/^[0-9]{1,24}$/.test(value)) {
    throw new TesseraError("production.card_number_invalid", undefined, { cardNumber: value });
  }
  return value;
}
