/**
 * Selects `font` at the largest size from `size` down to `minSize` at which `text` fits
 * `maxWidth`, and returns the text, shortened with an ellipsis if even `minSize` is too wide.
 */
export function fitText(
  doc: PDFKit.PDFDocument,
  text: string,
  font: string,
  size: number,
  minSize: number,
  maxWidth: number,
): string {
  doc.font(font, size);
  // No Helvetica glyph is wider than 1 em: short text fits without measuring (kerning costs).
  if (text.length * size * 1.1 <= maxWidth) return text;
  const width = doc.widthOfString(text);
  if (width <= maxWidth) return text;
  const fitted = Math.max(minSize, Math.floor(((size * maxWidth) / width) * 10) / 10);
  doc.fontSize(fitted);
  if (doc.widthOfString(text) <= maxWidth) return text;
  let shortened = text;
  while (shortened.length > 1 && doc.widthOfString(`${shortened}…`) > maxWidth)
    shortened = shortened.slice(0, -1);
  return `${shortened.trimEnd()}…`;
}

/**
 * Breaks `text` into lines no wider than `maxWidth` in `font` at `size`, at spaces.
 *
 * pdfkit's own wrapping (`text` with a `width`) costs about as much as the rest of a PIN letter;
 * measuring each word once and filling lines greedily is several times faster and, for the plain
 * paragraphs of a letter, gives the same lines. A word wider than a line gets a line of its own.
 */
export function wrapText(
  doc: PDFKit.PDFDocument,
  text: string,
  font: string,
  size: number,
  maxWidth: number,
): string[] {
  doc.font(font, size);
  const space = doc.widthOfString(" ");
  const lines: string[] = [];
  let line = "";
  let width = 0;
  for (const word of text.split(" ")) {
    if (word === "") continue;
    const wordWidth = doc.widthOfString(word);
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

/**
 * Draws `text` as one line with its top-left corner at (x, y).
 *
 * pdfkit measures a line twice and encodes it once, and each pass looks up a kerning pair per
 * character: the largest cost of a PIN letter. Its `textWidth` option (what its own line wrapper
 * passes) saves one measurement; pdfkit uses it only to draw underlines and links, so it is
 * given only when the line is not underlined.
 */
export function drawLine(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  options: { readonly underline?: boolean } = {},
): void {
  const textOptions = options.underline
    ? { lineBreak: false, underline: true }
    : { lineBreak: false, textWidth: 0, wordCount: 0 };
  doc.text(text, x, y, textOptions as PDFKit.Mixins.TextOptions);
}
