import type { Writable } from "node:stream";
import type { CardFace } from "./card-face.js";
import { createPinLetterWriter, type PinLetter, type PinLetterOptions } from "./pin-letters.js";
import { createPrintFileWriter, type PrintFileOptions } from "./print-file.js";
import { ProductionError } from "./production-error.js";

/**
 * Splits a batch's PDF into parts of N pages: `part-0001.pdf`, `part-0002.pdf`, …
 *
 * One print file stays small in memory however long it is (see `pdf-output.ts`), but card
 * printers and their spoolers take jobs of hundreds or a few thousand cards, not a 1 GB file of
 * 100,000 faces with photos, and a mail room works in trays. A part is opened when its first page
 * arrives and finished before the next one opens, so there is never an empty part and at most
 * one part is open.
 */
export interface PartitionedWriter<Item> {
  /** Adds one page to the current part, starting a new part when it is full. */
  add(item: Item): Promise<void>;
  /** Finishes the open part; resolves with how many parts and pages were written. */
  finish(): Promise<PartitionSummary>;
}

export interface PartitionSummary {
  readonly parts: number;
  readonly pages: number;
}

/** What {@link createPartitionedWriter} needs of the writer of one part. */
export interface PartWriter<Item> {
  add(item: Item): Promise<void>;
  finish(): Promise<void>;
}

export interface PartitionedWriterOptions<Item> {
  /** Pages per part. */
  readonly pagesPerPart: number;
  /** Opens the output of part `partNumber` (1, 2, …), e.g. a file named by {@link partFileName}. */
  openPart(partNumber: number): Writable;
  /** Creates the writer of one part on its output. */
  createPartWriter(output: Writable, partNumber: number): PartWriter<Item>;
}

/** `part-0001.pdf` for part 1: names that sort in order up to 9,999 parts. */
export function partFileName(partNumber: number, extension = "pdf"): string {
  return `part-${String(partNumber).padStart(4, "0")}.${extension}`;
}

export function createPartitionedWriter<Item>(
  options: PartitionedWriterOptions<Item>,
): PartitionedWriter<Item> {
  const { pagesPerPart } = options;
  if (!Number.isInteger(pagesPerPart) || pagesPerPart < 1) {
    throw new ProductionError("production.options_invalid", "Pages per part must be a positive integer.", {
      pagesPerPart,
    });
  }
  let current: { writer: PartWriter<Item>; pages: number } | undefined;
  let parts = 0;
  let pages = 0;
  let finished = false;

  return {
    async add(item) {
      if (finished) throw new ProductionError("production.writer_finished");
      if (current && current.pages >= pagesPerPart) {
        const full = current;
        current = undefined;
        await full.writer.finish();
      }
      if (!current) {
        parts++;
        current = { writer: options.createPartWriter(options.openPart(parts), parts), pages: 0 };
      }
      // Counted only once added: a page refused for its content does not take a place in the part.
      await current.writer.add(item);
      current.pages++;
      pages++;
    },

    async finish() {
      if (finished) throw new ProductionError("production.writer_finished");
      finished = true;
      await current?.writer.finish();
      current = undefined;
      return { parts, pages };
    },
  };
}

/** A print file split into parts of `cardsPerPart` cards. */
export function createPartitionedPrintFile(
  options: PrintFileOptions & { readonly cardsPerPart: number; openPart(partNumber: number): Writable },
): PartitionedWriter<CardFace> {
  return createPartitionedWriter<CardFace>({
    pagesPerPart: options.cardsPerPart,
    openPart: options.openPart,
    createPartWriter(output, partNumber) {
      const writer = createPrintFileWriter(output, {
        ...options,
        documentTitle: `${options.documentTitle ?? "Card faces"} — part ${partNumber}`,
      });
      return { add: (face) => writer.addCard(face), finish: () => writer.finish() };
    },
  });
}

/** PIN letters split into parts of `lettersPerPart` letters. */
export function createPartitionedPinLetters(
  options: PinLetterOptions & { readonly lettersPerPart: number; openPart(partNumber: number): Writable },
): PartitionedWriter<PinLetter> {
  // One date for the whole batch, even when its parts are written on either side of midnight.
  const date = options.date ?? new Date();
  return createPartitionedWriter<PinLetter>({
    pagesPerPart: options.lettersPerPart,
    openPart: options.openPart,
    createPartWriter(output, partNumber) {
      const writer = createPinLetterWriter(output, {
        ...options,
        date,
        documentTitle: `${options.documentTitle ?? "PIN letters"} — part ${partNumber}`,
      });
      return { add: (letter) => writer.addLetter(letter), finish: () => writer.finish() };
    },
  });
}
