/**
 * Remembers what pdfkit's standard fonts work out for a string.
 *
 * pdfkit encodes and measures a string glyph by glyph, looking up a kerning pair for each, every
 * time it is drawn or measured: the largest cost of a PIN letter. Most of a chunk's text is the
 * same on every page (the letterhead, the paragraphs, the labels, the card title), so each font
 * keeps its answers per string. pdfkit only reads what `encode` returns (its justified text,
 * which copies, is not used here), so one answer can serve every page.
 *
 * Like the page-tree pruner in `pdf-output.ts`, this reaches into pdfkit 0.20's internals; when
 * they are not what it expects it changes nothing and only the saving is lost.
 */

interface FontInternals {
  encode?: (text: string, features?: unknown) => unknown;
  widthOfString?: (text: string, size: number, features?: unknown) => number;
}

interface DocumentInternals {
  _font?: FontInternals;
}

/** A font's answers are dropped when it holds this many, so a long batch's names do not pile up. */
const maxEntries = 4096;

const remembered = new WeakSet<object>();

/** Wraps `doc.font` so every font the document selects remembers its encodings and widths. */
export function cacheFontMetrics(doc: PDFKit.PDFDocument): void {
  const select = doc.font.bind(doc) as (...args: unknown[]) => PDFKit.PDFDocument;
  (doc as { font: (...args: unknown[]) => PDFKit.PDFDocument }).font = (...args) => {
    const result = select(...args);
    const font = (doc as unknown as DocumentInternals)._font;
    if (font && !remembered.has(font)) rememberAnswers(font);
    return result;
  };
}

function rememberAnswers(font: FontInternals): void {
  remembered.add(font);
  const { encode, widthOfString } = font;
  // Only features-free calls are remembered: with OpenType features the answer depends on them.
  if (typeof encode === "function") {
    const encodings = new Map<string, unknown>();
    font.encode = function (text, features) {
      if (features !== undefined) return encode.call(this, text, features);
      let answer = encodings.get(text);
      if (answer === undefined) {
        if (encodings.size >= maxEntries) encodings.clear();
        answer = encode.call(this, text);
        encodings.set(text, answer);
      }
      return answer;
    };
  }
  if (typeof widthOfString === "function") {
    const widths = new Map<string, number>();
    font.widthOfString = function (text, size, features) {
      if (features !== undefined) return widthOfString.call(this, text, size, features);
      const key = `${size}\u0000${text}`;
      let width = widths.get(key);
      if (width === undefined) {
        if (widths.size >= maxEntries) widths.clear();
        width = widthOfString.call(this, text, size);
        widths.set(key, width);
      }
      return width;
    };
  }
}
