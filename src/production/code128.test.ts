import bwipjs from "bwip-js";
import { describe, expect, it } from "vitest";
import { encodeCode128 } from "./code128.js";

/** bwip-js (BWIPP's Code 128 encoder), an implementation no one here wrote, as the judge. */
function bwipWidths(text: string): number[] {
  const [symbol] = bwipjs.raw("code128", text, {}) as { sbs?: number[] }[];
  if (!symbol?.sbs) throw new Error("bwip-js returned no linear barcode");
  return symbol.sbs;
}

describe("Code 128 of card numbers", () => {
  const lengths = Array.from({ length: 24 }, (_, i) => i + 1);

  it.each(lengths)("encodes %i digits bar for bar as BWIPP does", (length) => {
    for (let sample = 0; sample < 20; sample++) {
      const digits = Array.from({ length }, (_, i) => String((sample * 7 + i * 3 + length) % 10)).join("");
      const code = encodeCode128(digits);
      expect(code.widths, digits).toEqual(bwipWidths(digits));
      expect(code.modules).toBe(code.widths.reduce((sum, width) => sum + width, 0));
    }
  });

  it("encodes every pair of digits as BWIPP does", () => {
    // Each of the 100 code set C values once, and the start and stop around them.
    const digits = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
    for (let i = 0; i < digits.length; i += 12) {
      const text = digits.slice(i, i + 12).join("");
      expect(encodeCode128(text).widths, text).toEqual(bwipWidths(text));
    }
  });

  it("refuses anything but 1 to 24 digits with the card-number code", () => {
    for (const bad of ["", "12a4", "1".repeat(25), "１２"])
      expect(() => encodeCode128(bad)).toThrow(
        expect.objectContaining({ code: "production.card_number_invalid" }),
      );
  });
});
