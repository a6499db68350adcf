import type { Writable } from "node:stream";
import {
  type CardFace,
  type CardLayout,
  cardSize,
  createCardFacePainter,
  prepareCardFace,
} from "./card-face.js";
import { createPageWriter, openPdfOutput, type PageWriter } from "./pdf-output.js";
import { openPhoto } from "./photo.js";

/**
 * The print file of a batch: one ID-1 page per card, streamed to the card printer's PDF.
 *
 * A card whose face cannot be printed (unprintable characters, a bad photo, a card number that
 * is not Code 128) is refused before its page is started, so the file never holds a half card
 * and the batch can mark just that card failed. Await each page: a slow output holds the batch
 * back instead of filling memory.
 */
export type PrintFileWriter = PageWriter<CardFace>;

export interface PrintFileOptions {
  /** The template's title and accent colour, unless a card brings its own. */
  readonly layout: CardLayout;
  /** The PDF's document title, e.g. "Batch 42 — card faces". */
  readonly documentTitle?: string;
}

export function createPrintFileWriter(output: Writable, options: PrintFileOptions): PrintFileWriter {
  const pdf = openPdfOutput(output, {
    info: { Title: options.documentTitle ?? "Card faces", Creator: "Tessera", Producer: "Tessera" },
  });
  const paint = createCardFacePainter(pdf);
  return createPageWriter(pdf, cardSize, (face: CardFace) => {
    const prepared = prepareCardFace(face, options.layout);
    const photo = face.photo ? openPhoto(face.photo) : undefined;
    return (page) => paint(page, prepared, photo);
  });
}
