import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import PDFDocument from "pdfkit";
import { TesseraError } from "../domain/errors.js";
import { cacheFontMetrics } from "./font-metrics-cache.js";

/**
 * A pdfkit document streamed into a `Writable` with backpressure.
 *
 * pdfkit pushes every byte it produces and ignores what `push` returns, so a fast producer and a
 * slow output (a disk under load, an HTTP download) would buffer the whole file in memory. Here
 * the document's bytes go straight to `output.write`, and {@link PdfOutput.waitForRoom} holds the
 * producer while the output asks for a drain.
 */
export interface PdfOutput {
  readonly doc: PDFKit.PDFDocument;
  /** Resolves when another page may be drawn; rejects with the output's error if it failed. */
  waitForRoom(): Promise<void>;
  /** Ends the document and the output; resolves when the output has taken every byte. */
  end(): Promise<void>;
  /** Whether {@link PdfOutput.end} was called. */
  readonly isEnded: boolean;
  /** Starts a page; call it instead of `doc.addPage`. */
  addPage(options: PDFKit.PDFDocumentOptions): void;
}

/** Bytes gathered into one `output.write`. */
const writeSize = 64 * 1024;

/**
 * The page references pdfkit keeps in its page tree, as far as we touch them.
 * pdfkit 0.20 keeps every page's dictionary object (with its resources, content and image
 * references) in `_root.data.Pages.data.Kids` until the end, although a flushed page needs only
 * its object number there: ≈ 1–1.5 KB per page, 100–150 MB of heap for 100,000 cards.
 */
interface PageTree {
  _root?: { data?: { Pages?: { data?: { Kids?: unknown[] } } } };
}

/**
 * Replaces the page-tree entries of pages pdfkit has already written (every page but the
 * current one, as `bufferPages` is off) with bare references, so memory stays flat however many
 * pages a file has. When pdfkit's internals are not what this expects it changes nothing: the
 * file stays correct and only the memory saving is lost.
 */
function createPageTreePruner(doc: PDFKit.PDFDocument): () => void {
  let referencePrototype: object | undefined;
  let pruned = 0;
  return () => {
    const kids = (doc as unknown as PageTree)._root?.data?.Pages?.data?.Kids;
    if (!Array.isArray(kids)) return;
    for (; pruned < kids.length - 1; pruned++) {
      const page = kids[pruned];
      const match = /^(\d+) 0 R$/.exec(String(page));
      if (!match || typeof page !== "object" || page === null) return;
      // PDFObject.convert writes `N 0 R` for anything that inherits from pdfkit's
      // PDFAbstractReference, the prototype of the prototype of its PDFReference objects.
      referencePrototype ??= Object.create(Object.getPrototypeOf(Object.getPrototypeOf(page)), {
        toString: {
          value(this: { id: string }) {
            return `${this.id} 0 R`;
          },
        },
      });
      kids[pruned] = Object.create(referencePrototype!, { id: { value: match[1] } });
    }
  };
}

export function openPdfOutput(output: Writable, options: PDFKit.PDFDocumentOptions): PdfOutput {
  const doc = new PDFDocument({ autoFirstPage: false, compress: true, ...options, bufferPages: false });
  const prunePageTree = createPageTreePruner(doc);
  cacheFontMetrics(doc);
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
  doc.on("error", fail);
  // pdfkit emits many small chunks (one per line of every object, and one per xref entry: 400,000
  // of them at the end of a 100,000-card file). Writing each on its own costs a stream request
  // apiece; gathering them into 64 KiB writes keeps the output's queue short and the file fast.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    // After a failure the bytes have nowhere to go; the next waitForRoom or end reports it.
    if (!failure) output.write(chunk);
  };
  doc.on("data", (chunk: Uint8Array) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= writeSize) flush();
  });
  doc.on("end", () => {
    flush();
    if (!failure) output.end();
  });

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
    doc,
    get isEnded() {
      return isEnded;
    },

    addPage(pageOptions) {
      doc.addPage(pageOptions);
      prunePageTree();
    },

    async waitForRoom() {
      for (;;) {
        if (failure) throw failure;
        // Chunks pdfkit pushed while its buffer was not empty wait there for a later tick, which
        // a producer awaiting only promises never reaches: pass them on now. In flowing mode,
        // read() emits each chunk it returns as 'data'.
        while (doc.readableLength > 0 && doc.read() !== null);
        if (!output.writableNeedDrain) return;
        await nextEvent();
      }
    },

    async end() {
      if (isEnded) return;
      isEnded = true;
      if (failure) throw failure;
      doc.end();
      await finished(output);
      if (failure) throw failure;
    },
  };
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
 * A {@link PageWriter} over `pdf`: `prepare` checks and lays out everything of an item that
 * could fail before its page exists, so a refused item leaves no half page, and returns what
 * draws the page.
 */
export function createPageWriter<Item>(
  pdf: PdfOutput,
  pageOptions: PDFKit.PDFDocumentOptions,
  prepare: (item: Item) => () => void,
): PageWriter<Item> {
  let pages = 0;
  return {
    get pages() {
      return pages;
    },
    async add(item) {
      if (pdf.isEnded) throw new TesseraError("production.writer_finished");
      const draw = prepare(item);
      pdf.addPage(pageOptions);
      draw();
      pages++;
      await pdf.waitForRoom();
    },
    finish: () => pdf.end(),
  };
}

/** Millimetres to PDF points (1/72 inch). */
export const mm = (millimetres: number): number => (millimetres * 72) / 25.4;
