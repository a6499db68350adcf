import { type FontName, standardFonts } from "./standard-fonts.js";

/** A line of text with the font size it is drawn at. */
export interface FittedLine {
  readonly text: string;
  readonly font: FontName;
  readonly size: number;
}

/**
 * `text` in `font` at the largest size from `size` down to `minSize` at which it fits
 * `maxWidth`, shortened with an ellipsis if even `minSize` is too wide.
 */
export function fitText(
  text: string,
  font: FontName,
  size: number,
  minSize: number,
  maxWidth: number,
): FittedLine {
  // No Helvetica glyph is wider than 1 em: short text fits without measuring.
  if (text.length * size * 1.1 <= maxWidth) return { text, font, size };
  const metrics = standardFonts()[font];
  const width = metrics.widthOf(text, size);
  if (width <= maxWidth) return { text, font, size };
  const fitted = Math.max(minSize, Math.floor(((size * maxWidth) / width) * 10) / 10);
  if (metrics.widthOf(text, fitted) <= maxWidth) return { text, font, size: fitted };
  let shortened = text;
  while (shortened.length > 1 && metrics.widthOf(`${shortened}…`, fitted) > maxWidth)
    shortened = shortened.slice(0, -1);
  return { text: `${shortened.trimEnd()}…`, font, size: fitted };
}

/**
 * Breaks `text` into lines no wider than `maxWidth` in `font` at `size`, at spaces: each word
 * measured once and lines filled greedily, which for the plain paragraphs of a letter gives
 * the lines pdfkit's wrapper gave. A word wider than a line gets a line of its own.
 */
export function wrapText(text: string, font: FontName, size: number, maxWidth: number): string[] {
  const metrics = standardFonts()[font];
  const space = metrics.widthOf(" ", size);
  const lines: string[] = [];
  let line = "";
  let width = 0;
  for (const word of text.split(" ")) {
    if (word === "") continue;
    const wordWidth = metrics.widthOf(word, size);
    if (line !== "" && width + space + wordWidth > maxWidth) {
      lines.push(line);
      line = "";
      width = 0;
    }
    width += (line === "" ? 0 : space) + wordWidth;
    line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
