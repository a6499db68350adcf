import PDFDocument from "pdfkit";
import { describe, expect, it } from "vitest";
import { standardFonts } from "./standard-fonts.js";

/**
 * pdfkit, which drew the cards before this writer and reads the same AFM data through its own
 * encoding table and kerning code, is the judge: a line must be exactly as wide as pdfkit made it,
 * so fitted sizes, wrapped paragraphs and the look of every page stay what they were.
 */
function pdfkitWidth(font: string, text: string, size: number): number {
  return new PDFDocument({ autoFirstPage: false }).font(font, size).widthOfString(text);
}

const samples = [
  "Ada Lovelace",
  "AVAWAY To. Wa, Yo. LT Ty",
  "Keep the PIN secret: learn it by heart and destroy this letter.",
  "Zoë Øster-Müller, Ærø · Straße",
  "Œuvre Šárka Žižka — “quoted” ‘single’ …",
  "€ 1,234.56 ‰ † ‡ • – ™ ƒ ˆ ˜ ‚ „ ‹ ›",
  "(parentheses) and \\backslash\\",
  "700100000017 2029-03-31",
  "",
];

describe("standardFonts", () => {
  for (const font of ["Helvetica", "Helvetica-Bold"] as const) {
    it(`measures ${font} as pdfkit does, kerning and WinAnsi extras included`, () => {
      const metrics = standardFonts()[font];
      for (const text of samples) {
        for (const size of [5, 10, 16]) {
          expect(metrics.widthOf(text, size), `${text} @ ${size}`).toBeCloseTo(
            pdfkitWidth(font, text, size),
            9,
          );
        }
      }
    });
  }

  it("kerns where the AFM file kerns: 'AV' is narrower than 'A' and 'V' apart", () => {
    const helvetica = standardFonts().Helvetica;
    expect(helvetica.widthOf("AV", 1000)).toBeLessThan(
      helvetica.widthOf("A", 1000) + helvetica.widthOf("V", 1000),
    );
    expect(helvetica.set("AV").operand).toBe("[(A) 70 (V)]");
  });

  it("escapes parentheses and backslashes in the string operand", () => {
    expect(standardFonts().Helvetica.set("a(b)\\").operand).toBe("[(a\\(b\\)\\\\)]");
  });
});
