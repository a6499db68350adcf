/// <reference path="./pdfkit-standard-fonts.d.ts" />
import helveticaData from "pdfkit/standard-fonts/Helvetica";
import helveticaBoldData from "pdfkit/standard-fonts/HelveticaBold";

/**
 * Helvetica and Helvetica-Bold, two of the 14 standard PDF fonts, written in WinAnsiEncoding
 * (PDF 32000-1 Annex D.2): their metrics, and text laid out in them as PDF text operands.
 *
 * The metrics are Adobe's AFM files as pdfkit ships them (`pdfkit/standard-fonts/*`): glyph
 * widths and kerning pairs in 1/1000 em. Text is kerned as pdfkit kerns it, so a line has the
 * width and look it had when pdfkit drew it. Callers pass text already checked by
 * `printable-text.ts`: every character is in WinAnsiEncoding.
 */
export type FontName = "Helvetica" | "Helvetica-Bold";

/** The resource names of the fonts, as every page and form of a file refers to them. */
export const fontResourceNames: Readonly<Record<FontName, string>> = {
  Helvetica: "F1",
  "Helvetica-Bold": "F2",
};

/** What `pdfkit/standard-fonts/*` export: names in one string, kerning pairs delta-coded. */
interface AfmData {
  readonly ascender: number;
  readonly descender: number;
  readonly glyphNames: string;
  readonly glyphWidths: readonly number[];
  readonly kernPairs: readonly (number | readonly number[])[];
}

/** Glyph names of WinAnsiEncoding codes 0x20–0xFF (PDF 32000-1 Annex D.2), eight a row. */
const winAnsiGlyphs = `
space exclam quotedbl numbersign dollar percent ampersand quotesingle
parenleft parenright asterisk plus comma hyphen period slash
zero one two three four five six seven
eight nine colon semicolon less equal greater question
at A B C D E F G
H I J K L M N O
P Q R S T U V W
X Y Z bracketleft backslash bracketright asciicircum underscore
grave a b c d e f g
h i j k l m n o
p q r s t u v w
x y z braceleft bar braceright asciitilde .notdef
Euro .notdef quotesinglbase florin quotedblbase ellipsis dagger daggerdbl
circumflex perthousand Scaron guilsinglleft OE .notdef Zcaron .notdef
.notdef quoteleft quoteright quotedblleft quotedblright bullet endash emdash
tilde trademark scaron guilsinglright oe .notdef zcaron Ydieresis
space exclamdown cent sterling currency yen brokenbar section
dieresis copyright ordfeminine guillemotleft logicalnot hyphen registered macron
degree plusminus twosuperior threesuperior acute mu paragraph periodcentered
cedilla onesuperior ordmasculine guillemotright onequarter onehalf threequarters questiondown
Agrave Aacute Acircumflex Atilde Adieresis Aring AE Ccedilla
Egrave Eacute Ecircumflex Edieresis Igrave Iacute Icircumflex Idieresis
Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis multiply
Oslash Ugrave Uacute Ucircumflex Udieresis Yacute Thorn germandbls
agrave aacute acircumflex atilde adieresis aring ae ccedilla
egrave eacute ecircumflex edieresis igrave iacute icircumflex idieresis
eth ntilde ograve oacute ocircumflex otilde odieresis divide
oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis`
  .trim()
  .split(/\s+/);

/** Unicode code points WinAnsiEncoding places at 0x80–0x9F, with their codes. */
const winAnsiExtras = new Map<number, number>([
  [0x20ac, 0x80],
  [0x201a, 0x82],
  [0x0192, 0x83],
  [0x201e, 0x84],
  [0x2026, 0x85],
  [0x2020, 0x86],
  [0x2021, 0x87],
  [0x02c6, 0x88],
  [0x2030, 0x89],
  [0x0160, 0x8a],
  [0x2039, 0x8b],
  [0x0152, 0x8c],
  [0x017d, 0x8e],
  [0x2018, 0x91],
  [0x2019, 0x92],
  [0x201c, 0x93],
  [0x201d, 0x94],
  [0x2022, 0x95],
  [0x2013, 0x96],
  [0x2014, 0x97],
  [0x02dc, 0x98],
  [0x2122, 0x99],
  [0x0161, 0x9a],
  [0x203a, 0x9b],
  [0x0153, 0x9c],
  [0x017e, 0x9e],
  [0x0178, 0x9f],
]);

/** The WinAnsiEncoding code of a UTF-16 code unit (0 for none: it draws as nothing). */
function winAnsiCode(unit: number): number {
  if (unit >= 0x20 && unit <= 0xff && !(unit >= 0x7f && unit < 0xa0)) return unit;
  return winAnsiExtras.get(unit) ?? 0;
}

interface Metrics {
  /** Advance widths by code, 1/1000 em. */
  readonly widths: Int16Array;
  /** Kerning by `left * 256 + right` code, 1/1000 em (negative: closer). */
  readonly kerning: Map<number, number>;
}

function loadMetrics(data: AfmData): Metrics {
  const names = data.glyphNames.split(" ");
  const widthByName = new Map(names.map((name, index) => [name, data.glyphWidths[index] ?? 0]));
  const widths = new Int16Array(256);
  const codesOf = new Map<string, number[]>();
  winAnsiGlyphs.forEach((name, index) => {
    const code = index + 0x20;
    widths[code] = widthByName.get(name) ?? 0;
    if (name !== ".notdef") codesOf.set(name, [...(codesOf.get(name) ?? []), code]);
  });
  // The pairs are delta-coded indices `left * glyphs + right`, grouped by amount (as pdfkit reads them).
  const kerning = new Map<number, number>();
  for (let index = 0; index < data.kernPairs.length; index += 2) {
    const amount = data.kernPairs[index] as number;
    let pair = 0;
    for (const delta of data.kernPairs[index + 1] as readonly number[]) {
      pair += delta;
      const left = codesOf.get(names[Math.floor(pair / names.length)]!) ?? [];
      const right = codesOf.get(names[pair % names.length]!) ?? [];
      for (const l of left) for (const r of right) kerning.set(l * 256 + r, amount);
    }
  }
  return { widths, kerning };
}

/** A line of text in one font, ready to draw at any size. */
export interface SetText {
  /** Width at 1 pt, in points (1/1000 of the AFM width), kerning included. */
  readonly width: number;
  /** The operand of `TJ`: strings with kerning adjustments, e.g. `[(A) 30 (VB)]`, in Latin-1 bytes. */
  readonly operand: string;
}

/** Each code as it stands in a literal string (§7.3.4.2): itself, or escaped for `(`, `)` and `\\`. */
const literalByte = Array.from({ length: 256 }, (_, code) => {
  const character = String.fromCharCode(code);
  return character === "(" || character === ")" || character === "\\" ? `\\${character}` : character;
});

/** Set text is remembered per font up to this many strings, then forgotten at once. */
const maxRemembered = 4096;

/** A standard font's metrics, with the lines it has set remembered (most text repeats on every page). */
export class StandardFont {
  readonly name: FontName;
  /** Ascender at 1 pt, in points: from the top of a line to its baseline. */
  readonly ascent: number;
  /** Ascender plus descender at 1 pt, in points: the height of a line without a gap. */
  readonly lineHeight: number;
  readonly #metrics: Metrics;
  readonly #remembered = new Map<string, SetText>();

  constructor(name: FontName, data: AfmData) {
    this.name = name;
    this.#metrics = loadMetrics(data);
    this.ascent = data.ascender / 1000;
    this.lineHeight = (data.ascender - data.descender) / 1000;
  }

  /** `text` laid out: width and `TJ` operand. */
  set(text: string): SetText {
    let set = this.#remembered.get(text);
    if (set === undefined) {
      if (this.#remembered.size >= maxRemembered) this.#remembered.clear();
      set = this.#layOut(text);
      this.#remembered.set(text, set);
    }
    return set;
  }

  /** Width of `text` at `size` points, kerning included. */
  widthOf(text: string, size: number): number {
    return this.set(text).width * size;
  }

  #layOut(text: string): SetText {
    const { widths, kerning } = this.#metrics;
    let width = 0;
    // Joined once into a flat string: appended piece by piece, the operand was a rope of a node
    // per character, and the ropes kept in `#remembered` were about half of what a production
    // thread promoted to its old generation per card, there to be marked and swept.
    const operand = ["[("];
    for (let i = 0; i < text.length; i++) {
      const code = winAnsiCode(text.charCodeAt(i));
      operand.push(literalByte[code]!);
      width += widths[code]!;
      if (i + 1 < text.length) {
        const kern = kerning.get(code * 256 + winAnsiCode(text.charCodeAt(i + 1)));
        if (kern) {
          // TJ numbers move the next glyph left by thousandths of an em: the negated kerning.
          operand.push(`) ${-kern} (`);
          width += kern;
        }
      }
    }
    operand.push(")]");
    return { width: width / 1000, operand: operand.join("") };
  }
}

/** The fonts of a document: each loaded once per thread, shared by every writer in it. */
let loaded: Record<FontName, StandardFont> | undefined;

export function standardFonts(): Record<FontName, StandardFont> {
  loaded ??= {
    Helvetica: new StandardFont("Helvetica", helveticaData as AfmData),
    "Helvetica-Bold": new StandardFont("Helvetica-Bold", helveticaBoldData as AfmData),
  };
  return loaded;
}
