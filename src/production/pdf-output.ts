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
  let failure: Error | undefined;
  let isEnded = false;
  let outputFinished = false;
  const fail = (error: Error) => {
    failure ??= error;
  };
  output.on("error", fail);
  output.on("finish", () => {
    outputFinished = true;
  });
  output.on("close", () => {
    if (!outputFinished) fail(new TesseraError("production.output_closed"));
  });

  // Bytes are written into a staging buffer and handed to the output 64 KiB at a time: one
  // stream request per 64 KiB, and no intermediate Buffer per object or per page.
  let staging = Buffer.allocUnsafeSlow(writeSize);
  let used = 0;
  let written = 0;
  const send = (chunk: Buffer) => {
    // After a failure the bytes have nowhere to go; the next waitForRoom or end reports it.
    if (!failure) output.write(chunk);
  };
  const flush = () => {
    if (used === 0) return;
    send(staging.subarray(0, used));
    staging = Buffer.allocUnsafeSlow(writeSize);
    used = 0;
  };
  const put = (bytes: Uint8Array) => {
    written += bytes.length;
    if (used + bytes.length > writeSize) flush();
    if (bytes.length > writeSize / 2) {
      send(Buffer.from(bytes));
      return;
    }
    staging.set(bytes, used);
    used += bytes.length;
  };
  /** Text of code points below 256 only (what every writer here produces), one byte each. */
  const putText = (text: string) => {
    if (used + text.length > writeSize) {
      flush();
      if (text.length > writeSize) {
        written += text.length;
        send(Buffer.from(text, "latin1"));
        return;
      }
    }
    used += staging.write(text, used, "latin1");
    written += text.length;
  };

  /** Byte offset of each object by number; 0 for one reserved and not yet written. */
  const offsets: number[] = [0];
  const pageIds: number[] = [];
  let nextId = firstFontId + 2;

  const reserve = () => {
    offsets[nextId] = 0;
    return nextId++;
  };
  const writeObject = (id: number, dictionary: string, stream?: Uint8Array) => {
    offsets[id] = written;
    if (stream === undefined) {
      putText(`${id} 0 obj\n<<${dictionary}>>\nendobj\n`);
      return;
    }
    putText(`${id} 0 obj\n<<${dictionary}/Length ${stream.length}>>\nstream\n`);
    put(stream);
    putText("\nendstream\nendobj\n");
  };

  // §7.5.2: the header, and a comment of four bytes above 127 so tools treat the file as binary.
  putText("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  const fontIds = Object.keys(fontResourceNames).map((_, index) => firstFontId + index);
  writeObject(
    fontsId,
    Object.values(fontResourceNames)
      .map((resource, index) => `/${resource} ${fontIds[index]} 0 R`)
      .join(""),
  );
  Object.keys(fontResourceNames).forEach((font, index) => {
    writeObject(fontIds[index]!, `/Type/Font/Subtype/Type1/BaseFont/${font}/Encoding/WinAnsiEncoding`);
  });

  const resources = (content: PageContent) => {
    const names = content.xobjects;
    let xobjects = "";
    for (const [name, id] of names) xobjects += `/${name} ${id} 0 R`;
    return `/Resources<</ProcSet[/PDF/Text/ImageB/ImageC/ImageI]/Font ${fontsId} 0 R${
      xobjects ? `/XObject<<${xobjects}>>` : ""
    }>>`;
  };

  const nextEvent = () =>
    new Promise<void>((resolve) => {
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

  return {
    get isEnded() {
      return isEnded;
    },
    get pages() {
      return pageIds.length;
    },
    reserve,
    writeObject,

    addForm(content) {
      const id = reserve();
      const [width, height] = content.size;
      // Written once per file, so worth compressing.
      writeObject(
        id,
        `/Type/XObject/Subtype/Form/BBox[0 0 ${width} ${height}]${resources(content)}/Filter/FlateDecode`,
        deflateSync(Buffer.from(content.toString(), "latin1")),
      );
      return id;
    },

    addPage(size, content) {
      const pageId = reserve();
      const contentId = reserve();
      const [width, height] = size;
      writeObject(
        pageId,
        `/Type/Page/Parent ${pagesId} 0 R/MediaBox[0 0 ${width} ${height}]/Contents ${contentId} 0 R${resources(content)}`,
      );
      const ops = content.toString();
      offsets[contentId] = written;
      putText(`${contentId} 0 obj\n<</Length ${ops.length}>>\nstream\n${ops}\nendstream\nendobj\n`);
      pageIds.push(pageId);
    },

    async waitForRoom() {
      for (;;) {
        if (failure) throw failure;
        if (!output.writableNeedDrain) return;
        await nextEvent();
      }
    },

    async end() {
      if (isEnded) return;
      isEnded = true;
      if (failure) throw failure;
      let kids = "";
      for (const id of pageIds) kids += kids ? ` ${id} 0 R` : `${id} 0 R`;
      writeObject(pagesId, `/Type/Pages/Count ${pageIds.length}/Kids[${kids}]`);
      writeObject(catalogId, `/Type/Catalog/Pages ${pagesId} 0 R`);
      writeObject(
        infoId,
        Object.entries(options.info)
          .map(([key, value]) => `/${key} ${pdfString(value)}`)
          .join(""),
      );
      const xrefAt = written;
      // §7.5.4: one 20-byte entry per object; object 0 heads the free list.
      let xref = `xref\n0 ${offsets.length}\n0000000000 65535 f \n`;
      for (let id = 1; id < offsets.length; id++) {
        const offset = offsets[id]!;
        xref += offset === 0 ? "0000000000 65535 f \n" : `${String(offset).padStart(10, "0")} 00000 n \n`;
      }
      putText(xref);
      putText(
        `trailer\n<</Size ${offsets.length}/Root ${catalogId} 0 R/Info ${infoId} 0 R>>\nstartxref\n${xrefAt}\n%%EOF\n`,
      );
      flush();
      output.end();
      await finished(output);
      if (failure) throw failure;
    },
  };
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

// A class, as the painters are, and not an object of closures made for each file: a function
// made anew per file (or per page) loses its optimized code at every full GC, which falls
// between a chunk's files, and V8 then compiles it again for each chunk (see `produce-chunk.ts`).
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
