import { inflateSync } from "node:zlib";
import { pngSignature } from "../domain/png.js";
import { type Matrix, multiply } from "./matrix.js";
import { withoutExif } from "./photo.js";
import { pngChunk } from "./png.js";
import { type FontName, standardFonts } from "./standard-fonts.js";

/**
 * One page of a PDF that Tessera wrote (`pdf-output.ts`), drawn again as SVG: the operator UI
 * shows a card face as the print file has it, since Tessera's CSP lets no PDF be framed and a
 * likeness drawn apart from the print file drifts from it.
 *
 * This reads what Tessera's writer emits — an xref table, direct `/Length`s, the two standard
 * fonts in WinAnsiEncoding, Form XObjects (deflated or not), JPEG and PNG-predicted images, and
 * the path, colour, clip and text operators of PDF 32000-1 §8–9 that `page-content.ts` writes —
 * and throws on anything else, so a change to the writer that this reader does not follow fails
 * its tests instead of drawing something other than the print file.
 */
export function pdfPageToSvg(pdf: Buffer, pageIndex = 0, options: { title?: string } = {}): string {
  const file = new PdfFile(pdf);
  const page = file.page(pageIndex);
  const mediaBox = numbers(page.get("MediaBox"), 4, "MediaBox");
  const [x0, y0, x1, y1] = mediaBox as [number, number, number, number];
  const width = x1 - x0;
  const height = y1 - y0;
  const painter = new SvgPainter(file);
  // PDF's default space has y upwards from the bottom-left corner; SVG's, y downwards from the top.
  painter.run(file.contentsOf(page), file.dictionary(page.get("Resources")), [1, 0, 0, -1, -x0, y1]);
  const title = options.title ? `<title>${escapeXml(options.title)}</title>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}">` +
    `${title}${painter.svg()}</svg>`
  );
}

/** A PDF name (`/Type`), apart from strings. */
class Name {
  constructor(readonly value: string) {}
}
/** An indirect reference (`7 0 R`). */
class Ref {
  constructor(readonly id: number) {}
}
/** A content stream's operator (`re`, `TJ`). */
class Operator {
  constructor(readonly value: string) {}
}

type PdfValue = number | boolean | null | Name | Ref | Buffer | PdfValue[] | PdfDictionary;
type PdfDictionary = Map<string, PdfValue>;

const whiteSpace = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const delimiters = new Set([...Buffer.from("()<>[]{}/%")]);

/** Tokens of PDF syntax (§7.2, §7.3) over the file's bytes. */
class Lexer {
  at: number;
  constructor(
    readonly bytes: Buffer,
    at = 0,
  ) {
    this.at = at;
  }

  #skipSpace(): void {
    const { bytes } = this;
    while (this.at < bytes.length) {
      const byte = bytes[this.at]!;
      if (whiteSpace.has(byte)) this.at++;
      else if (byte === 0x25) while (this.at < bytes.length && bytes[this.at] !== 0x0a) this.at++;
      else break;
    }
  }

  /** The next value, or an operator; undefined at the end or at a closing `]` / `>>`. */
  value(): PdfValue | Operator | undefined {
    this.#skipSpace();
    const { bytes } = this;
    if (this.at >= bytes.length) return undefined;
    const byte = bytes[this.at]!;
    if (byte === 0x5d || (byte === 0x3e && bytes[this.at + 1] === 0x3e)) return undefined;
    if (byte === 0x3c && bytes[this.at + 1] === 0x3c) {
      this.at += 2;
      const dictionary: PdfDictionary = new Map();
      for (;;) {
        const key = this.value();
        if (key === undefined) break;
        if (!(key instanceof Name)) throw new Error(`page-svg: a dictionary key is not a name at ${this.at}`);
        const value = this.value();
        if (value === undefined || value instanceof Operator)
          throw new Error(`page-svg: /${key.value} has no value`);
        dictionary.set(key.value, value);
      }
      this.#expect(">>");
      return dictionary;
    }
    if (byte === 0x5b) {
      this.at++;
      const array: PdfValue[] = [];
      for (;;) {
        const item = this.value();
        if (item === undefined) break;
        if (item instanceof Operator) throw new Error(`page-svg: ${item.value} inside an array`);
        array.push(item);
      }
      this.#expect("]");
      return array;
    }
    if (byte === 0x2f) {
      const start = ++this.at;
      while (this.at < bytes.length && !whiteSpace.has(bytes[this.at]!) && !delimiters.has(bytes[this.at]!))
        this.at++;
      return new Name(bytes.toString("latin1", start, this.at));
    }
    if (byte === 0x28) return this.#literalString();
    if (byte === 0x3c) {
      const end = bytes.indexOf(0x3e, this.at);
      const hex = bytes.toString("latin1", this.at + 1, end).replace(/\s/g, "");
      this.at = end + 1;
      return Buffer.from(hex.length % 2 ? `${hex}0` : hex, "hex");
    }
    const start = this.at;
    while (this.at < bytes.length && !whiteSpace.has(bytes[this.at]!) && !delimiters.has(bytes[this.at]!))
      this.at++;
    const word = bytes.toString("latin1", start, this.at);
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      const number = Number(word);
      // `7 0 R`: an indirect reference, outside content streams.
      const after = this.at;
      const generation = /^\s+(\d+)\s+R(?![^\s()<>[\]{}/%])/.exec(
        bytes.toString("latin1", after, after + 24),
      );
      if (Number.isInteger(number) && generation) {
        this.at = after + generation[0].length;
        return new Ref(number);
      }
      return number;
    }
    if (word === "true" || word === "false") return word === "true";
    if (word === "null") return null;
    if (word === "") throw new Error(`page-svg: unexpected byte ${byte} at ${start}`);
    return new Operator(word);
  }

  #expect(token: string): void {
    this.#skipSpace();
    if (this.bytes.toString("latin1", this.at, this.at + token.length) !== token)
      throw new Error(`page-svg: expected ${token} at ${this.at}`);
    this.at += token.length;
  }

  /** A literal string (§7.3.4.2): balanced parentheses and backslash escapes. */
  #literalString(): Buffer {
    const { bytes } = this;
    const out: number[] = [];
    let depth = 0;
    this.at++;
    for (;;) {
      if (this.at >= bytes.length) throw new Error("page-svg: a string does not end");
      const byte = bytes[this.at++]!;
      if (byte === 0x5c) {
        const next = bytes[this.at++]!;
        const escaped: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };
        if (escaped[next] !== undefined) out.push(escaped[next]);
        else if (next >= 0x30 && next <= 0x37) {
          let octal = next - 0x30;
          for (let i = 0; i < 2 && bytes[this.at]! >= 0x30 && bytes[this.at]! <= 0x37; i++)
            octal = octal * 8 + (bytes[this.at++]! - 0x30);
          out.push(octal & 0xff);
        } else if (next === 0x0d || next === 0x0a) {
          if (next === 0x0d && bytes[this.at] === 0x0a) this.at++;
        } else out.push(next);
      } else if (byte === 0x28) {
        depth++;
        out.push(byte);
      } else if (byte === 0x29) {
        if (depth === 0) return Buffer.from(out);
        depth--;
        out.push(byte);
      } else out.push(byte);
    }
  }
}

interface PdfObject {
  readonly dictionary: PdfDictionary;
  readonly stream?: Buffer;
}

/** The objects of a PDF, found through its cross-reference table (§7.5.4). */
class PdfFile {
  readonly #offsets = new Map<number, number>();
  readonly #trailer: PdfDictionary;

  constructor(readonly bytes: Buffer) {
    const tail = bytes.toString("latin1", Math.max(0, bytes.length - 64));
    const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!startxref) throw new Error("page-svg: the file does not end with startxref");
    const lexer = new Lexer(bytes, Number(startxref[1]));
    if (!(lexer.value() instanceof Operator)) throw new Error("page-svg: no xref table at startxref");
    for (;;) {
      const first = lexer.value();
      if (first instanceof Operator && first.value === "trailer") break;
      const count = lexer.value();
      if (typeof first !== "number" || typeof count !== "number")
        throw new Error("page-svg: a cross-reference subsection has no start and count");
      for (let i = 0; i < count; i++) {
        const offset = lexer.value();
        lexer.value();
        const kind = lexer.value();
        if (kind instanceof Operator && kind.value === "n") this.#offsets.set(first + i, offset as number);
      }
    }
    this.#trailer = this.dictionary(lexer.value() as PdfValue);
  }

  object(id: number): PdfObject {
    const offset = this.#offsets.get(id);
    if (offset === undefined) throw new Error(`page-svg: object ${id} is not in the file`);
    const lexer = new Lexer(this.bytes, offset);
    // `7 0 obj`
    for (let i = 0; i < 3; i++) lexer.value();
    const dictionary = lexer.value();
    if (!(dictionary instanceof Map)) throw new Error(`page-svg: object ${id} is not a dictionary`);
    const keyword = lexer.value();
    if (!(keyword instanceof Operator) || keyword.value !== "stream") return { dictionary };
    // §7.3.8.1: the data starts after the end of line that follows `stream`.
    let start = lexer.at;
    if (this.bytes[start] === 0x0d) start++;
    if (this.bytes[start] === 0x0a) start++;
    const length = this.resolve(dictionary.get("Length"));
    if (typeof length !== "number") throw new Error(`page-svg: object ${id} has no stream length`);
    return { dictionary, stream: this.bytes.subarray(start, start + length) };
  }

  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return value instanceof Ref ? this.object(value.id).dictionary : value;
  }

  dictionary(value: PdfValue | undefined): PdfDictionary {
    const resolved = this.resolve(value);
    if (!(resolved instanceof Map)) throw new Error("page-svg: a dictionary was expected");
    return resolved;
  }

  /** Page `index` (from 0) of the page tree (§7.7.3). */
  page(index: number): PdfDictionary {
    const pages: PdfDictionary[] = [];
    const walk = (node: PdfDictionary) => {
      const kids = node.get("Kids");
      if (!Array.isArray(kids)) {
        pages.push(node);
        return;
      }
      for (const kid of kids) walk(this.dictionary(kid));
    };
    walk(this.dictionary(this.dictionary(this.#trailer.get("Root")).get("Pages")));
    const page = pages[index];
    if (!page) throw new Error(`page-svg: the file has ${pages.length} pages, not ${index + 1}`);
    return page;
  }

  /** The page's content streams, decoded and joined. */
  contentsOf(page: PdfDictionary): Buffer {
    const contents = page.get("Contents");
    const refs = Array.isArray(contents) ? contents : [contents];
    return Buffer.concat(
      refs.map((ref) => {
        if (!(ref instanceof Ref)) throw new Error("page-svg: a content stream is not a reference");
        return this.decoded(this.object(ref.id));
      }),
    );
  }

  decoded(object: PdfObject): Buffer {
    if (!object.stream) throw new Error("page-svg: a stream was expected");
    const filter = object.dictionary.get("Filter");
    if (filter === undefined) return object.stream;
    if (filter instanceof Name && filter.value === "FlateDecode") return inflateSync(object.stream);
    throw new Error("page-svg: a content stream's filter is not FlateDecode");
  }
}

interface GraphicsState {
  ctm: Matrix;
  fill: string;
  stroke: string;
  lineWidth: number;
  /** The `<g>` elements this state opened (clips), closed by its `Q`. */
  groups: number;
}

interface TextState {
  matrix: Matrix;
  lineMatrix: Matrix;
  font: FontName;
  size: number;
}

const fontFamily: Record<FontName, string> = {
  Helvetica: `font-family="Helvetica, Arial, 'Liberation Sans', sans-serif"`,
  "Helvetica-Bold": `font-family="Helvetica, Arial, 'Liberation Sans', sans-serif" font-weight="bold"`,
};

/**
 * WinAnsiEncoding's codes 0x80–0x9F (PDF 32000-1 Annex D.2); the others are Latin-1's. Node's
 * TextDecoder reads "windows-1252" as Latin-1, so the table is written out here.
 */
const winAnsiHigh = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
  0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0, 0x017e, 0x0178,
];

function decodeWinAnsi(bytes: Buffer): string {
  let text = "";
  for (const byte of bytes) {
    const code = byte >= 0x80 && byte < 0xa0 ? winAnsiHigh[byte - 0x80]! : byte;
    if (code !== 0) text += String.fromCharCode(code);
  }
  return text;
}

/** Runs content streams (§8.2) into SVG elements in the page's own coordinates. */
class SvgPainter {
  readonly #parts: string[] = [];
  #clips = 0;
  #state: GraphicsState = {
    ctm: [1, 0, 0, 1, 0, 0],
    fill: "#000000",
    stroke: "#000000",
    lineWidth: 1,
    groups: 0,
  };
  readonly #saved: GraphicsState[] = [];
  #path = "";
  #clipPending = false;
  #text: TextState | undefined;

  constructor(readonly file: PdfFile) {}

  svg(): string {
    return this.#parts.join("");
  }

  run(content: Buffer, resources: PdfDictionary, ctm: Matrix): void {
    this.#save();
    this.#state.ctm = multiply(ctm, this.#state.ctm);
    const depth = this.#saved.length;
    const lexer = new Lexer(content);
    const operands: PdfValue[] = [];
    for (;;) {
      const token = lexer.value();
      if (token === undefined) break;
      if (token instanceof Operator) {
        this.#operate(token.value, operands, resources);
        operands.length = 0;
      } else operands.push(token);
    }
    while (this.#saved.length > depth) this.#restore();
    this.#restore();
  }

  #save(): void {
    this.#saved.push(this.#state);
    this.#state = { ...this.#state, groups: 0 };
  }

  #restore(): void {
    const previous = this.#saved.pop();
    if (!previous) throw new Error("page-svg: Q without q");
    this.#parts.push("</g>".repeat(this.#state.groups));
    this.#state = previous;
  }

  #point(x: number, y: number): string {
    const [a, b, c, d, e, f] = this.#state.ctm;
    return `${n(a * x + c * y + e)} ${n(b * x + d * y + f)}`;
  }

  #operate(op: string, operands: PdfValue[], resources: PdfDictionary): void {
    const num = (index: number) => {
      const value = operands[index];
      if (typeof value !== "number") throw new Error(`page-svg: ${op} takes numbers`);
      return value;
    };
    const state = this.#state;
    switch (op) {
      case "q":
        this.#save();
        return;
      case "Q":
        this.#restore();
        return;
      case "cm":
        state.ctm = multiply(numbers(operands, 6, op) as unknown as Matrix, state.ctm);
        return;
      // The colour operators (ISO 32000-1 §8.6.8): rg and g set the fill colour, RG and G the
      // stroke's; g and G take one grey level, rg and RG red, green and blue.
      case "rg":
      case "RG":
      case "g":
      case "G": {
        const value =
          op.toLowerCase() === "g" ? colour(num(0), num(0), num(0)) : colour(num(0), num(1), num(2));
        if (op === op.toLowerCase()) state.fill = value;
        else state.stroke = value;
        return;
      }
      case "w":
        state.lineWidth = num(0);
        return;
      case "re": {
        const [x, y, w, h] = [num(0), num(1), num(2), num(3)];
        this.#path += `M${this.#point(x, y)}L${this.#point(x + w, y)}L${this.#point(x + w, y + h)}L${this.#point(x, y + h)}Z`;
        return;
      }
      case "m":
        this.#path += `M${this.#point(num(0), num(1))}`;
        return;
      case "l":
        this.#path += `L${this.#point(num(0), num(1))}`;
        return;
      case "c":
        this.#path += `C${this.#point(num(0), num(1))} ${this.#point(num(2), num(3))} ${this.#point(num(4), num(5))}`;
        return;
      case "h":
        this.#path += "Z";
        return;
      case "f":
      case "F":
      case "f*":
        this.#parts.push(
          `<path d="${this.#path}" fill="${state.fill}"${op === "f*" ? ` fill-rule="evenodd"` : ""}/>`,
        );
        this.#endPath();
        return;
      case "S": {
        const [a, b, c, d] = state.ctm;
        const scale = Math.sqrt(Math.abs(a * d - b * c));
        this.#parts.push(
          `<path d="${this.#path}" fill="none" stroke="${state.stroke}" stroke-width="${n(state.lineWidth * scale)}"/>`,
        );
        this.#endPath();
        return;
      }
      case "W":
        this.#clipPending = true;
        return;
      case "n":
        this.#endPath();
        return;
      case "BT":
        this.#text = {
          matrix: [1, 0, 0, 1, 0, 0],
          lineMatrix: [1, 0, 0, 1, 0, 0],
          font: this.#text?.font ?? "Helvetica",
          size: this.#text?.size ?? 0,
        };
        return;
      case "ET":
        return;
      case "Tf": {
        const name = operands[0];
        if (!(name instanceof Name) || !this.#text) throw new Error("page-svg: Tf outside a text object");
        const font = this.file.dictionary(this.file.dictionary(resources.get("Font")).get(name.value));
        const base = font.get("BaseFont");
        if (!(base instanceof Name) || !(base.value in fontFamily))
          throw new Error(`page-svg: font ${name.value} is not one of the standard fonts Tessera writes`);
        this.#text.font = base.value as FontName;
        this.#text.size = num(1);
        return;
      }
      case "Tm":
        if (!this.#text) throw new Error("page-svg: Tm outside a text object");
        this.#text.matrix = this.#text.lineMatrix = numbers(operands, 6, op) as unknown as Matrix;
        return;
      case "Td":
        if (!this.#text) throw new Error("page-svg: Td outside a text object");
        this.#text.matrix = this.#text.lineMatrix = multiply(
          [1, 0, 0, 1, num(0), num(1)],
          this.#text.lineMatrix,
        );
        return;
      case "Tj":
        this.#showText([operands[0]!]);
        return;
      case "TJ": {
        const array = operands[0];
        if (!Array.isArray(array)) throw new Error("page-svg: TJ takes an array");
        this.#showText(array);
        return;
      }
      case "Do":
        this.#draw(operands[0], resources);
        return;
      default:
        throw new Error(`page-svg: operator ${op} is not one Tessera writes`);
    }
  }

  #endPath(): void {
    if (this.#clipPending) {
      const id = `clip${++this.#clips}`;
      this.#parts.push(
        `<clipPath id="${id}"><path d="${this.#path}"/></clipPath><g clip-path="url(#${id})">`,
      );
      this.#state.groups++;
      this.#clipPending = false;
    }
    this.#path = "";
  }

  /** A text-showing operator's strings (WinAnsi bytes) and adjustments (§9.4.3), as one `<text>`. */
  #showText(items: PdfValue[]): void {
    const text = this.#text;
    if (!text) throw new Error("page-svg: text shown outside a text object");
    const font = standardFonts()[text.font];
    let shown = "";
    let advance = 0;
    for (const item of items) {
      if (typeof item === "number") advance -= item / 1000;
      else if (Buffer.isBuffer(item)) {
        const characters = decodeWinAnsi(item);
        shown += characters;
        // Glyph widths alone: the adjustments between strings carry the kerning.
        for (const character of characters) advance += font.set(character).width;
      } else throw new Error("page-svg: TJ holds a value that is neither a string nor a number");
    }
    const width = advance * text.size;
    // Glyphs stand upright in text space (y up); SVG draws them y down, hence the flip.
    const matrix = multiply(multiply([1, 0, 0, -1, 0, 0], text.matrix), this.#state.ctm);
    if (shown !== "")
      this.#parts.push(
        `<text transform="matrix(${matrix.map(n).join(" ")})" ${fontFamily[text.font]} font-size="${n(text.size)}" fill="${this.#state.fill}" textLength="${n(width)}" lengthAdjust="spacingAndGlyphs" xml:space="preserve">${escapeXml(shown)}</text>`,
      );
    text.matrix = multiply([1, 0, 0, 1, width, 0], text.matrix);
  }

  #draw(name: PdfValue | undefined, resources: PdfDictionary): void {
    if (!(name instanceof Name)) throw new Error("page-svg: Do takes a name");
    const ref = this.file.dictionary(resources.get("XObject")).get(name.value);
    if (!(ref instanceof Ref)) throw new Error(`page-svg: XObject ${name.value} is not a reference`);
    const object = this.file.object(ref.id);
    const subtype = object.dictionary.get("Subtype");
    if (subtype instanceof Name && subtype.value === "Form") {
      const matrix = object.dictionary.has("Matrix")
        ? (numbers(object.dictionary.get("Matrix"), 6, "Matrix") as unknown as Matrix)
        : ([1, 0, 0, 1, 0, 0] as const);
      const formResources = object.dictionary.has("Resources")
        ? this.file.dictionary(object.dictionary.get("Resources"))
        : resources;
      this.run(this.file.decoded(object), formResources, matrix);
      return;
    }
    if (subtype instanceof Name && subtype.value === "Image") {
      // Image space is the unit square with the first row at the top (§8.9.4); SVG's image starts at y = 0.
      const matrix = multiply([1, 0, 0, -1, 0, 1], this.#state.ctm);
      this.#parts.push(
        `<image width="1" height="1" preserveAspectRatio="none" transform="matrix(${matrix.map(n).join(" ")})" href="${imageDataUrl(this.file, object)}"/>`,
      );
      return;
    }
    throw new Error(`page-svg: XObject ${name.value} is neither a form nor an image`);
  }
}

/** An image XObject as a data URL: a JPEG as it is (its Exif segments aside), a PNG-predicted Flate image as the PNG it came from. */
function imageDataUrl(file: PdfFile, object: PdfObject): string {
  const { dictionary, stream } = object;
  if (!stream) throw new Error("page-svg: an image without data");
  const filter = dictionary.get("Filter");
  if (filter instanceof Name && filter.value === "DCTDecode")
    return `data:image/jpeg;base64,${withoutExif(stream).toString("base64")}`;
  const parameters = file.resolve(dictionary.get("DecodeParms"));
  if (!(filter instanceof Name) || filter.value !== "FlateDecode" || !(parameters instanceof Map))
    throw new Error("page-svg: an image that is neither a JPEG nor a PNG's rows");
  if (parameters.get("Predictor") !== 15) throw new Error("page-svg: an image without PNG predictors");
  const width = dictionary.get("Width") as number;
  const height = dictionary.get("Height") as number;
  const bits = dictionary.get("BitsPerComponent") as number;
  const space = file.resolve(dictionary.get("ColorSpace"));
  const chunks: [string, Buffer][] = [];
  let colourType: number;
  if (space instanceof Name && space.value === "DeviceGray") colourType = 0;
  else if (space instanceof Name && space.value === "DeviceRGB") colourType = 2;
  else if (Array.isArray(space) && space[0] instanceof Name && space[0].value === "Indexed") {
    colourType = 3;
    const palette = space[3];
    if (!Buffer.isBuffer(palette)) throw new Error("page-svg: an indexed image without its palette");
    chunks.push(["PLTE", palette]);
  } else throw new Error("page-svg: an image colour space Tessera does not write");
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bits, colourType, 0, 0, 0], 8);
  const png = Buffer.concat([
    pngSignature,
    ...[
      ["IHDR", header] as [string, Buffer],
      ...chunks,
      ["IDAT", stream] as [string, Buffer],
      ["IEND", Buffer.alloc(0)] as [string, Buffer],
    ].map(([type, data]) => pngChunk(type, data)),
  ]);
  return `data:image/png;base64,${png.toString("base64")}`;
}

function numbers(value: PdfValue | PdfValue[] | undefined, count: number, what: string): number[] {
  if (
    !Array.isArray(value) ||
    value.length < count ||
    value.slice(0, count).some((v) => typeof v !== "number")
  )
    throw new Error(`page-svg: ${what} takes ${count} numbers`);
  return value.slice(0, count) as number[];
}

function colour(r: number, g: number, b: number): string {
  const byte = (v: number) =>
    Math.round(Math.min(1, Math.max(0, v)) * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${byte(r)}${byte(g)}${byte(b)}`;
}

/** A number as SVG gets it: at most three decimals. */
function n(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
