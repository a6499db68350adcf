import type { CardTemplate } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { type Code128, drawCode128, encodeCode128 } from "./code128.js";
import { type FittedLine, fitText } from "./fit-text.js";
import { PageContent } from "./page-content.js";
import { mm, type PdfOutput } from "./pdf-output.js";
import { coverMatrix, embedImage, type OpenedImage } from "./photo.js";
import { cardNumberText, optionalPrintableText, printableText } from "./printable-text.js";

/**
 * The printed face of one card, at ID-1 size (ISO/IEC 7810: 85.60 × 53.98 mm).
 *
 * Layout: a title band in the template's accent colour; the photo (or a silhouette placeholder)
 * on the left; name, title, organization and unit, card number and expiry on the right, above a
 * Code 128 of the card number. All text is real text in Helvetica, so it can be searched and
 * extracted (`pdftotext`), and nothing has to be embedded. The layout's own parts (bands,
 * title, labels) are drawn once per file and placed on every card (see {@link CardFacePainter}).
 */

/** The template's part of the face: title and accent colour. */
export type CardLayout = CardTemplate["layout"];

/** What is printed on one card. */
export interface CardFace {
  readonly cardNumber: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly organization?: string | undefined;
  readonly organizationalUnit?: string | undefined;
  /** The holder's title or function, e.g. "Head of Procurement". */
  readonly title?: string | undefined;
  /** Printed as the calendar date in UTC, `YYYY-MM-DD`. */
  readonly expiry: Date;
  /** JPEG or PNG; a silhouette placeholder is drawn without one. */
  readonly photo?: Buffer | undefined;
  /** Overrides the print file's layout for this card (a batch may mix templates). */
  readonly layout?: CardLayout | undefined;
}

/**
 * ID-1 in points, 85.60 × 53.98 mm, rounded to 1/100 pt (4 µm) so tools report the exact size
 * printers are set up with: 242.65 × 153.01.
 */
export const cardSize: [number, number] = [
  Math.round(mm(85.6) * 100) / 100,
  Math.round(mm(53.98) * 100) / 100,
];

/** A face whose text is checked and whose barcode is encoded: drawing it cannot fail. */
export interface PreparedCardFace {
  readonly cardNumber: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly lines: readonly { readonly text: string; readonly muted: boolean }[];
  readonly expiry: string;
  readonly barcode: Code128;
  readonly layout: CardLayout;
}

const hexColour = /^#[0-9a-fA-F]{6}$/;

const isPrinted = (line: {
  text: string | undefined;
  muted: boolean;
}): line is { text: string; muted: boolean } => line.text !== undefined;

/** Checks and normalizes everything that could fail, before a page is started. */
export function prepareCardFace(face: CardFace, defaultLayout: CardLayout): PreparedCardFace {
  const layout = face.layout ?? defaultLayout;
  if (!hexColour.test(layout.accentColor)) {
    throw new TesseraError("production.options_invalid", "The accent colour must be #rrggbb.", {
      accentColor: layout.accentColor,
    });
  }
  if (!(face.expiry instanceof Date) || Number.isNaN(face.expiry.getTime())) {
    throw new TesseraError("production.options_invalid", "The expiry date is not a valid date.");
  }
  const cardNumber = cardNumberText(face.cardNumber);
  const firstName = printableText(face.firstName, "holder's first name");
  const lastName = printableText(face.lastName, "holder's last name");
  const optional = [
    { text: optionalPrintableText(face.title, "holder's title"), muted: true },
    { text: optionalPrintableText(face.organization, "organization"), muted: false },
    { text: optionalPrintableText(face.organizationalUnit, "organizational unit"), muted: true },
  ];
  return {
    cardNumber,
    firstName,
    lastName,
    lines: optional.filter(isPrinted),
    expiry: face.expiry.toISOString().slice(0, 10),
    barcode: encodeCode128(cardNumber),
    layout: { title: printableText(layout.title, "card title"), accentColor: layout.accentColor },
  };
}

// Geometry in points. The card is 242.65 × 153.01; printers want ≥ 2 mm (5.7 pt) kept clear
// at the edges, so nothing but the colour band and stripe comes closer than 10 pt.
const [cardWidth, cardHeight] = cardSize;
const margin = 10;
const bandHeight = 28;
const photo = { x: margin, y: 36, width: 56, height: 72 };
const column = { x: 76, width: cardWidth - 76 - margin };
const fieldsY = 84;
const barcodeBox = { x: column.x, y: 106, width: column.width, height: 22 };
const stripeHeight = 4;

const ink = "#1a1a1a";
const muted = "#5b6470";
const placeholderBackground = "#e8ebf0";
const placeholderFigure = "#b4bcc8";

/**
 * A painter of faces into `pdf`. The colour bands, the title, the labels and the silhouette
 * are Form XObjects written once per file (per layout), so a card's own content is its photo,
 * its text and its barcode. `photoImage` was read by `openPhoto` before the page was started, so a
 * bad image fails before the page exists.
 */
export class CardFacePainter {
  readonly #pdf: PdfOutput;
  readonly #layoutForms = new Map<string, number>();
  #silhouetteForm: number | undefined;

  constructor(pdf: PdfOutput) {
    this.#pdf = pdf;
  }

  paint(page: PageContent, face: PreparedCardFace, photoImage?: OpenedImage): void {
    page.draw("Layout", this.#layoutForm(face.layout), identity);
    if (photoImage) {
      const id = embedImage(this.#pdf, photoImage);
      page.save().rect(photo.x, photo.y, photo.width, photo.height).clip();
      page.draw("Photo", id, coverMatrix(photoImage, photo));
      page.restore();
    } else {
      this.#silhouetteForm ??= this.#pdf.addForm(drawSilhouette(new PageContent(cardSize, true)));
      page.draw("Silhouette", this.#silhouetteForm, identity);
    }
    drawHolder(page, face);
  }

  #layoutForm(layout: CardLayout): number {
    const key = `${layout.accentColor}\u0000${layout.title}`;
    let id = this.#layoutForms.get(key);
    if (id === undefined) {
      id = this.#pdf.addForm(drawLayout(new PageContent(cardSize, true), layout));
      // A batch has a handful of layouts; a bound keeps a pathological one from growing the map.
      if (this.#layoutForms.size >= 64) this.#layoutForms.clear();
      this.#layoutForms.set(key, id);
    }
    return id;
  }
}

/** What of a face is the card's own, apart from its photo: the frame, the name, the fields, the barcode. */
function drawHolder(page: PageContent, face: PreparedCardFace): void {
  page
    .save()
    .lineWidth(0.5)
    .strokeColor("#c5cad3")
    .rect(photo.x, photo.y, photo.width, photo.height)
    .stroke()
    .restore();

  let y = photo.y;
  page.fillColor(ink);
  const fullName = `${face.firstName} ${face.lastName}`.trim();
  const oneLine = fitText(fullName, "Helvetica-Bold", 10, 8, column.width);
  if (oneLine.text === fullName) {
    drawLine(page, oneLine, column.x, y);
    y += 13;
  } else {
    // A long name takes two lines, given names above the surname, rather than being cut.
    for (const part of [face.firstName, face.lastName]) {
      drawLine(page, fitText(part, "Helvetica-Bold", 9, 6.5, column.width), column.x, y);
      y += 11;
    }
    y += 2;
  }
  // Up to three lines share what is left above the fields; a two-line name makes them tighter.
  const step = Math.min(9, (fieldsY - 2 - y) / Math.max(1, face.lines.length));
  for (const line of face.lines) {
    page.fillColor(line.muted ? muted : ink);
    drawLine(page, fitText(line.text, "Helvetica", Math.min(7, step - 1.4), 5, column.width), column.x, y);
    y += step;
  }

  page.fillColor(ink);
  drawLine(page, fitText(face.cardNumber, "Helvetica-Bold", 8, 6, 88), column.x, fieldsY + 7);
  page.text(face.expiry, "Helvetica-Bold", 8, column.x + 92, fieldsY + 7);

  drawCode128(page, face.barcode, barcodeBox);
}

const identity = [1, 0, 0, 1, 0, 0] as const;

const drawLine = (page: PageContent, line: FittedLine, x: number, y: number) =>
  page.text(line.text, line.font, line.size, x, y);

/** What every card of a layout shows: the colour band with the title, the stripe, the labels. */
function drawLayout(page: PageContent, layout: CardLayout): PageContent {
  const accent = layout.accentColor;
  page.fillColor(accent).rect(0, 0, cardWidth, bandHeight).fill();
  page.rect(0, cardHeight - stripeHeight, cardWidth, stripeHeight).fill();
  const title = fitText(layout.title, "Helvetica-Bold", 10.5, 7, cardWidth - 2 * margin);
  page.fillColor(readableOn(accent));
  drawLine(page, title, margin, (bandHeight - 10.5) / 2 + 1);
  page.fillColor(muted);
  page.text("CARD NO.", "Helvetica", 5, column.x, fieldsY);
  page.text("VALID UNTIL", "Helvetica", 5, column.x + 92, fieldsY);
  return page;
}

/** A head and shoulders in the photo box, so a missing photo looks intended, not broken. */
function drawSilhouette(page: PageContent): PageContent {
  const centreX = photo.x + photo.width / 2;
  page.fillColor(placeholderBackground).rect(photo.x, photo.y, photo.width, photo.height).fill();
  page.save();
  page.rect(photo.x, photo.y, photo.width, photo.height).clip();
  page.fillColor(placeholderFigure);
  page.ellipse(centreX, photo.y + photo.height * 0.38, photo.width * 0.19).fill();
  page.ellipse(centreX, photo.y + photo.height * 1.02, photo.width * 0.4, photo.height * 0.34).fill();
  page.restore();
  return page;
}

/** Black or white, whichever reads better on `background` (WCAG 2 relative luminance). */
export function readableOn(background: string): string {
  const channel = (offset: number) => {
    const value = Number.parseInt(background.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white is (1.05)/(L+0.05), with black (L+0.05)/0.05; they are equal at L ≈ 0.179.
  return luminance > 0.179 ? "#000000" : "#ffffff";
}
