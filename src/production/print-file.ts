import type { Writable } from "node:stream";
import { TesseraError } from "../domain/errors.js";
import { type CardFace, type CardLayout, cardSize, drawCardFace, prepareCardFace } from "./card-face.js";
import { openPdfOutput } from "./pdf-output.js";
import { openPhoto } from "./photo.js";

/**
 * The print file of a batch: one ID-1 page per card, streamed to the card printer's PDF.
 *
 * A card whose face cannot be printed (unprintable characters, a bad photo, a card number that
 * is not Code 128) is refused before its page is started, so the file never holds a half card
 * and the batch can mark just that card failed.
 */
export interface PrintFileWriter {
  /**
   * Adds the card's page. Resolves when the output has room for the next one: await it, so a
   * slow output holds the batch back instead of filling memory.
   */
  addCard(face: CardFace): Promise<void>;
  /** Ends the PDF; resolves when the output has all of it. */
  finish(): Promise<void>;
  /** Pages added so far. */
  readonly cards: number;
}

export interface PrintFileOptions {
  /** The template's title and accent colour, unless a card brings its own. */
  readonly layout: CardLayout;
  /** The PDF's document title, e.g. "Batch 42 — card faces". */
  readonly documentTitle?: string;
}

export function createPrintFileWriter(output: Writable, options: PrintFileOptions): PrintFileWriter {
  const pdf = openPdfOutput(output, {
    size: cardSize,
    margin: 0,
    info: { Title: options.documentTitle ?? "Card faces", Creator: "Tessera", Producer: "Tessera (pdfkit)" },
  });
  let cards = 0;
  return {
    get cards() {
      return cards;
    },

    async addCard(face) {
      if (pdf.isEnded) throw new TesseraError("production.writer_finished");
      const prepared = prepareCardFace(face, options.layout);
      const photo = face.photo ? openPhoto(pdf.doc, face.photo) : undefined;
      pdf.addPage({ size: cardSize, margin: 0 });
      drawCardFace(pdf.doc, prepared, photo);
      cards++;
      await pdf.waitForRoom();
    },

    finish: () => pdf.end(),
  };
}
