import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { deflateSync } from "node:zlib";
import { TesseraError } from "../domain/errors.js";
import { PageContent } from "./page-content.js";
import { fontResourceNames } from "./standard-fonts.js";

/**
 * A PDF file written object by object into a `Writable`, with backpressure (PDF 32000-1 §7.5).
 *
 * The print file and the PIN letters are many pages of one simple kind: text in two standard
 * fonts, rectangles and curves, and a photo per card. A general library (pdfkit) spent more on
 * each page — a dictionary object per operator, a page tree of live objects, a deflate stream
 * per page, kerning looked up per glyph per draw — than the card's PKCS#12 and ASN.1 together.
 * This writer emits each page as three objects (page, content, photo) straight into a buffer:
 * what is the same on every page is written once as a Form XObject (§8.10) and each page's
 * content stream holds only that page's own text, photo and barcode — uncompressed: it is small,
 * and a deflate stream per page cost ≈ 0.1 ms, as much as the rest of the page. Of each object only
 * its byte offset is kept, so memory stays flat however long the file.
 *
 * Nothing here checks or lays out text: callers hand over text already made printable
 * (`printable-text.ts`) and drawn through {@link PageContent}.
 */
export interface PdfOutput {
  /** Reserves an object number, for an object written later with {@link PdfOutput.writeObject}. */
  reserve(): number;
  /** Writes object `id`: a dictionary (without `<<` `>>`), and a stream when `stream` is given. */
  writeObject(id: number, dictionary: string, stream?: Uint8Array): void;
  /** A Form XObject of `content` (drawn in page coordinates, see {@link PageContent}), written now. */
  addForm(content: PageContent): number;
  /** Writes a page of `size` drawn by `content`, with the fonts and the XObjects `content` uses. */
  addPage(size: readonly [number, number], content: PageContent): void;
  /** Resolves when another page may be added; rejects with the output's error if it failed. */
  waitForRoom(): Promise<void>;
  /** Ends the file and the output; resolves when the output has taken every byte. */
  end(): Promise<void>;
  /** Whether {@link PdfOutput.end} was called. */
  readonly isEnded: boolean;
  /** Pages written so far. */
  readonly pages: number;
}

export interface PdfOutputOptions {
  /** The document information dictionary (§14.3.3): Title, Author, Creator, Producer. */
  readonly info: Readonly<Record<string, string>>;
}

/** Bytes gathered into one `output.write`. */
const writeSize = 64 * 1024;

/** Objects 1–5 are the same in every file: catalog, page tree, info, font resources and the two fonts. */
const catalogId = 1;
const pagesId = 2;
const infoId = 3;
const fontsId = 4;
const firstFontId = 5;

export function openPdfOutput(output: Writable, options: PdfOutputOptions): PdfOutput {
  return new PdfFile(output, options);
}

// A class, not an object of closures made for each file: see `PdfPageWriter`.
class PdfFile implements PdfOutput {
  readonly #output: Writable;
  readonly #info: Readonly<Record<string, string>>;
  #failure: Error | undefined;
  #isEnded = false;
  #outputFinished = false;
  // Bytes are written into a staging buffer and handed to the output 64 KiB at a time: one
  // stream request per 64 KiB, and no intermediate Buffer per object or per page.
  #staging = Buffer.allocUnsafeSlow(writeSize);
  #used = 0;
  #written = 0;
  /** Byte offset of each object by number; 0 for one reserved and not yet written. */
  readonly #offsets: number[] = [0];
  readonly #pageIds: number[] = [];
  #nextId = firstFontId + 2;

  constructor(output: Writable, options: PdfOutputOptions) {
    this.#output = output;
    this.#info = options.info;
    output.on("error", (error: Error) => this.#fail(error));
    output.on("finish", () => {
      this.#outputFinished = true;
    });
    output.on("close", () => {
      if (!this.#outputFinished) this.#fail(new TesseraError("production.output_closed"));
    });

    // §7.5.2: the header, and a comment of four bytes above 127 so tools treat the file as binary.
    this.#putText("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    const fonts = Object.entries(fontResourceNames);
    let fontResources = "";
    for (let index = 0; index < fonts.length; index++)
      fontResources += `/${fonts[index]![1]} ${firstFontId + index} 0 R`;
    this.writeObject(fontsId, fontResources);
    for (let index = 0; index < fonts.length; index++)
      this.writeObject(
        firstFontId + index,
        `/Type/Font/Subtype/Type1/BaseFont/${fonts[index]![0]}/Encoding/WinAnsiEncoding`,
      );
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  get pages(): number {
    return this.#pageIds.length;
  }

  reserve(): number {
    this.#offsets[this.#nextId] = 0;
    return this.#nextId++;
  }

  writeObject(id: number, dictionary: string, stream?: Uint8Array): void {
    this.#offsets[id] = this.#written;
    if (stream === undefined) {
      this.#putText(`${id} 0 obj\n<<${dictionary}>>\nendobj\n`);
      return;
    }
    this.#putText(`${id} 0 obj\n<<${dictionary}/Length ${stream.length}>>\nstream\n`);
    this.#put(stream);
    this.#putText("\nendstream\nendobj\n");
  }

  addForm(content: PageContent): number {
    const id = this.reserve();
    const [width, height] = content.size;
    // Written once per file, so worth compressing.
    this.writeObject(
      id,
      `/Type/XObject/Subtype/Form/BBox[0 0 ${width} ${height}]${resources(content)}/Filter/FlateDecode`,
      deflateSync(Buffer.from(content.toString(), "latin1")),
    );
    return id;
  }

  addPage(size: readonly [number, number], content: PageContent): void {
    const pageId = this.reserve();
    const contentId = this.reserve();
    const [width, height] = size;
    this.writeObject(
      pageId,
      `/Type/Page/Parent ${pagesId} 0 R/MediaBox[0 0 ${width} ${height}]/Contents ${contentId} 0 R${resources(content)}`,
    );
    const ops = content.toString();
    this.#offsets[contentId] = this.#written;
    this.#putText(`${contentId} 0 obj\n<</Length ${ops.length}>>\nstream\n${ops}\nendstream\nendobj\n`);
    this.#pageIds.push(pageId);
  }

  async waitForRoom(): Promise<void> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      if (!this.#output.writableNeedDrain) return;
      await nextEvent(this.#output);
    }
  }

  async end(): Promise<void> {
    if (this.#isEnded) return;
    this.#isEnded = true;
    if (this.#failure) throw this.#failure;
    let kids = "";
    for (const id of this.#pageIds) kids += kids ? ` ${id} 0 R` : `${id} 0 R`;
    this.writeObject(pagesId, `/Type/Pages/Count ${this.#pageIds.length}/Kids[${kids}]`);
    this.writeObject(catalogId, `/Type/Catalog/Pages ${pagesId} 0 R`);
    let info = "";
    for (const [key, value] of Object.entries(this.#info)) info += `/${key} ${pdfString(value)}`;
    this.writeObject(infoId, info);
    const xrefAt = this.#written;
    const offsets = this.#offsets;
    // §7.5.4: one 20-byte entry per object; object 0 heads the free list.
    let xref = `xref\n0 ${offsets.length}\n0000000000 65535 f \n`;
    for (let id = 1; id < offsets.length; id++) {
      const offset = offsets[id]!;
      xref += offset === 0 ? "0000000000 65535 f \n" : `${String(offset).padStart(10, "0")} 00000 n \n`;
    }
    this.#putText(xref);
    this.#putText(
      `trailer\n<</Size ${offsets.length}/Root ${catalogId} 0 R/Info ${infoId} 0 R>>\nstartxref\n${xrefAt}\n%%EOF\n`,
    );
    this.#flush();
    this.#output.end();
    await finished(this.#output);
    if (this.#failure) throw this.#failure;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
  }

  #send(chunk: Buffer): void {
    // After a failure the bytes have nowhere to go; the next waitForRoom or end reports it.
    if (!this.#failure) this.#output.write(chunk);
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#send(this.#staging.subarray(0, this.#used));
    this.#staging = Buffer.allocUnsafeSlow(writeSize);
    this.#used = 0;
  }

  #put(bytes: Uint8Array): void {
    this.#written += bytes.length;
    if (this.#used + bytes.length > writeSize) this.#flush();
    if (bytes.length > writeSize / 2) {
      this.#send(Buffer.from(bytes));
      return;
    }
    this.#staging.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** Text of code points below 256 only (what every writer here produces), one byte each. */
  #putText(text: string): void {
    if (this.#used + text.length > writeSize) {
      this.#flush();
      if (text.length > writeSize) {
        this.#written += text.length;
        this.#send(Buffer.from(text, "latin1"));
        return;
      }
    }
    this.#used += this.#staging.write(text, this.#used, "latin1");
    this.#written += text.length;
  }
}

/** The resource dictionary of a page or form: the fonts, and the XObjects `content` draws. */
function resources(content: PageContent): string {
  let xobjects = "";
  for (const [name, id] of content.xobjects) xobjects += `/${name} ${id} 0 R`;
  return `/Resources<</ProcSet[/PDF/Text/ImageB/ImageC/ImageI]/Font ${fontsId} 0 R${
    xobjects ? `/XObject<<${xobjects}>>` : ""
  }>>`;
}

/** Resolves at the output's next drain, error or close. */
function nextEvent(output: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      output.off("drain", done);
      output.off("error", done);
      output.off("close", done);
      resolve();
    };
    output.on("drain", done);
    output.on("error", done);
    output.on("close", done);
  });
}

/**
 * A text string (§7.9.2.2): a literal string when it is printable ASCII, else UTF-16BE with a
 * byte order mark, as hex — so a title such as "Batch 7 — card faces" reads back as written.
 */
function pdfString(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `(${value.replace(/[\\()]/g, "\\$&")})`;
  return `<feff${Buffer.from(value, "utf16le").swap16().toString("hex")}>`;
}

/** A PDF of one page per item (a card face, a PIN letter), streamed. */
export interface PageWriter<Item> {
  /**
   * Adds the item's page. Resolves when the output has room for the next one: await it, so a
   * slow output holds the batch back instead of filling memory.
   */
  add(item: Item): Promise<void>;
  /** Ends the PDF; resolves when the output has all of it. */
  finish(): Promise<void>;
  /** Pages added so far. */
  readonly pages: number;
}

/**
 * One kind of page: {@link PagePainter.prepare} checks and lays out everything of an item that
 * could fail before its page exists, so a refused item leaves no half page; then
 * {@link PagePainter.paint} draws it.
 */
export interface PagePainter<Item, Prepared> {
  prepare(item: Item): Prepared;
  paint(page: PageContent, prepared: Prepared): void;
}

/** A {@link PageWriter} over `pdf`, its pages of `size` made by `painter`. */
export function createPageWriter<Item, Prepared>(
  pdf: PdfOutput,
  size: readonly [number, number],
  painter: PagePainter<Item, Prepared>,
): PageWriter<Item> {
  return new PdfPageWriter(pdf, size, painter);
}

// A class, as the painters are, not an object of closures made for each file: see `produce-chunk.ts`.
class PdfPageWriter<Item, Prepared> implements PageWriter<Item> {
  readonly #pdf: PdfOutput;
  readonly #size: readonly [number, number];
  readonly #painter: PagePainter<Item, Prepared>;

  constructor(pdf: PdfOutput, size: readonly [number, number], painter: PagePainter<Item, Prepared>) {
    this.#pdf = pdf;
    this.#size = size;
    this.#painter = painter;
  }

  get pages(): number {
    return this.#pdf.pages;
  }

  async add(item: Item): Promise<void> {
    if (this.#pdf.isEnded) throw new TesseraError("production.writer_finished");
    const prepared = this.#painter.prepare(item);
    const page = new PageContent(this.#size);
    this.#painter.paint(page, prepared);
    this.#pdf.addPage(this.#size, page);
    await this.#pdf.waitForRoom();
  }

  finish(): Promise<void> {
    return this.#pdf.end();
  }
}

/** Millimetres to PDF points (1/72 inch). */
export const mm = (millimetres: number): number => (millimetres * 72) / 25.4;
