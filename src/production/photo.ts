import { TesseraError } from "../domain/errors.js";
import { preparePngForPdf } from "./png.js";

const jpegSignature = [0xff, 0xd8, 0xff];
const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes start like a JPEG or a PNG; photos are checked by content, never by name. */
export function photoTypeOf(bytes: Buffer): "jpeg" | "png" | undefined {
  const startsWith = (signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  if (startsWith(jpegSignature)) return "jpeg";
  if (startsWith(pngSignature)) return "png";
  return undefined;
}

/**
 * An image opened once on a document. pdfkit's `openImage` and its result are missing from
 * @types/pdfkit; `doc.image` accepts the result in place of the bytes.
 */
export interface OpenedImage {
  readonly width: number;
  readonly height: number;
}

/** Draws an {@link OpenedImage}; the cast is only for the missing overload in @types/pdfkit. */
export function drawImage(
  doc: PDFKit.PDFDocument,
  image: OpenedImage,
  x: number,
  y: number,
  options: PDFKit.Mixins.ImageOption,
): void {
  doc.image(image as unknown as Buffer, x, y, options);
}

/**
 * Opens a holder's photo on `doc`, so that a photo pdfkit cannot read fails with
 * `production.photo_invalid` before a page is started. pdfkit throws plain strings for broken
 * JPEGs ("SOI not found in JPEG"); they become the error's cause. A PNG that pdfkit would decode
 * asynchronously (transparency, interlacing) is flattened first: see `png.ts`.
 */
export function openPhoto(doc: PDFKit.PDFDocument, bytes: Buffer): OpenedImage {
  const type = photoTypeOf(bytes);
  if (!type) throw new TesseraError("production.photo_invalid", "The photo is neither a JPEG nor a PNG.");
  try {
    const embeddable = type === "png" ? preparePngForPdf(bytes) : bytes;
    return (doc as PDFKit.PDFDocument & { openImage(src: Buffer): OpenedImage }).openImage(embeddable);
  } catch (error) {
    throw new TesseraError(
      "production.photo_invalid",
      `The ${type.toUpperCase()} photo cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { type },
      { cause: error },
    );
  }
}
