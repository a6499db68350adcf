import { TesseraError } from "../domain/errors.js";
import type { PageContent } from "./page-content.js";

/**
 * Code 128 barcodes (ISO/IEC 15417) of card numbers, drawn as vector bars.
 *
 * Card numbers are digits only (`printable-text.ts`, `cardNumberText`), so the encoder needs
 * code set C (two digits per symbol) and, for an odd count, one digit in code set B. Written
 * here rather than through a general barcode library: that took a third of a card face's
 * time. Drawing the bars as filled rectangles is ≈ 25× faster than rendering a PNG and embedding
 * it, scales to any printer resolution, and keeps the page small (see DEPENDENCIES.md, "PDF").
 */
export interface Code128 {
  /** Widths in modules, alternating bar and space, starting with a bar. */
  readonly widths: readonly number[];
  /** Total width in modules, without quiet zones. */
  readonly modules: number;
}

/** Quiet zone on each side, in modules (ISO/IEC 15417 §4.4.2 asks for at least 10). */
export const quietZoneModules = 10;

/**
 * The bar and space widths of symbol values 0–105 (ISO/IEC 15417 Table 1), each
 * bar-space-bar-space-bar-space and 11 modules wide.
 */
const patterns = `
212222 222122 222221 121223 121322 131222 122213 122312 132212 221213
221312 231212 112232 122132 122231 113222 123122 123221 223211 221132
221231 213212 223112 312131 311222 321122 321221 312212 322112 322211
212123 212321 232121 111323 131123 131321 112313 132113 132311 211313
231113 231311 112133 112331 132131 113123 113321 133121 313121 211331
231131 213113 213311 213131 311123 311321 331121 312113 312311 332111
314111 221411 431111 111224 111422 121124 121421 141122 141221 112214
112412 122114 122411 142112 142211 241211 221114 413111 241112 134111
111242 121142 121241 114212 124112 124211 411212 421112 421211 212141
214121 412121 111143 111341 131141 114113 114311 411113 411311 113141
114131 311141 411131 211412 211214 211232
`
  .trim()
  .split(/\s+/)
  .map((pattern) => [...pattern].map(Number));
/** The stop pattern with its final bar: 13 modules. */
const stop = [2, 3, 3, 1, 1, 1, 2];
const startB = 104;
const startC = 105;
const codeB = 100;
/** In code set B, the digit d is the symbol value d + 16 (ASCII minus 32). */
const digitInB = (digit: number) => digit + 16;

const digitAt = (digits: string, index: number) => digits.charCodeAt(index) - 48;

/** Encodes a card number (1 to 24 digits) as Code 128. */
export function encodeCode128(digits: string): Code128 {
  if (!/^[0-9]{1,24}$/.test(digits))
    throw new TesseraError("production.card_number_invalid", undefined, { cardNumber: digits });
  // Code set C, with an odd last digit in B; one or three digits are as short all in B, which
  // is what BWIPP (and with it most printers' firmware) writes, so the same number gives the same bars.
  // Plain loops: this runs twice per card (checked before signing, then drawn).
  const values: number[] = [];
  if (digits.length <= 3 && digits.length % 2 === 1) {
    values.push(startB);
    for (let i = 0; i < digits.length; i++) values.push(digitInB(digitAt(digits, i)));
  } else {
    values.push(startC);
    const even = digits.length & ~1;
    for (let i = 0; i < even; i += 2) values.push(digitAt(digits, i) * 10 + digitAt(digits, i + 1));
    if (even < digits.length) values.push(codeB, digitInB(digitAt(digits, even)));
  }
  let checksum = values[0]!;
  for (let position = 1; position < values.length; position++) checksum += values[position]! * position;
  values.push(checksum % 103);
  const widths: number[] = [];
  let modules = 0;
  for (const value of values) {
    for (const width of patterns[value]!) {
      widths.push(width);
      modules += width;
    }
  }
  for (const width of stop) {
    widths.push(width);
    modules += width;
  }
  return { widths, modules };
}

/**
 * Draws `code` centred in the box, quiet zones included, with bars of whole-box height. The
 * module is at most `maxModule` points wide so a short number does not become a wide barcode.
 */
export function drawCode128(
  page: PageContent,
  code: Code128,
  box: { x: number; y: number; width: number; height: number },
  maxModule = 1.2,
): void {
  const module = Math.min(maxModule, box.width / (code.modules + 2 * quietZoneModules));
  let x = box.x + (box.width - code.modules * module) / 2;
  const { widths } = code;
  // The colour first: PDF allows no colour operator inside a path (PDF 32000-1 §8.2, Figure 9).
  page.fillColor("#000000");
  for (let index = 0; index < widths.length; index++) {
    if (index % 2 === 0) page.rect(x, box.y, widths[index]! * module, box.height);
    x += widths[index]! * module;
  }
  // One fill for all bars: a single path, not one drawing operation per bar.
  page.fill();
}
