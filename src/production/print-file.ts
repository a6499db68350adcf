import type { Writable } from "node:stream";
import {
  type CardFace,
  CardFacePainter,
  type CardLayout,
  cardSize,
  type PreparedCardFace,
  prepareCardFace,
} from "./card-face.js";
import type { PageContent } from "./page-content.js";
import { createPageWriter, openPdfOutput, type PagePainter, type PageWriter } from "./pdf-output.js";
import { type OpenedImage, openPhoto } from "./photo.js";

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
  return createPageWriter(pdf, cardSize, new CardFacePages(new CardFacePainter(pdf), options.layout));
}

/** A card's face checked and laid out, its photo read, before its page is started. */
interface FacePage {
  readonly face: PreparedCardFace;
  readonly photo: OpenedImage | undefined;
}

// A class, not closures made for each file: see `pdf-output.ts`'s `PdfPageWriter`.
class CardFacePages implements PagePainter<CardFace, FacePage> {
  constructor(
    private readonly painter: CardFacePainter,
    private readonly layout: CardLayout,
  ) {}

  prepare(face: CardFace): FacePage {
    return {
      face: prepareCardFace(face, this.layout),
      photo: face.photo ? openPhoto(face.photo) : undefined,
    };
  }

  paint(page: PageContent, { face, photo }: FacePage): void {
    this.painter.paint(page, face, photo);
  }
}
