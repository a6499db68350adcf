import { TesseraError } from "../domain/errors.js";
import { readPngChunks } from "../domain/png.js";
import { type Matrix, multiply } from "./matrix.js";
import type { PdfOutput } from "./pdf-output.js";
import { preparePngForPdf } from "./png.js";

const jpegSignature = [0xff, 0xd8, 0xff];
const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes start like a JPEG or a PNG; photos are checked by content, never by name. */
export function photoTypeOf(bytes: Buffer): "jpeg" | "png" | undefined {
  if (startsWith(bytes, jpegSignature)) return "jpeg";
  if (startsWith(bytes, pngSignature)) return "png";
  return undefined;
}

function startsWith(bytes: Buffer, signature: readonly number[]): boolean {
  for (let i = 0; i < signature.length; i++) if (bytes[i] !== signature[i]) return false;
  return true;
}

/**
 * A photo read far enough to embed as an image XObject (PDF 32000-1 §8.9.5): its pixel size,
 * its EXIF orientation (JPEG), its image dictionary and its bytes, passed through compressed.
 */
export interface OpenedImage {
  readonly width: number;
  readonly height: number;
  /** EXIF orientation 1–8; 1 is upright. */
  readonly orientation: number;
  /** The image dictionary's entries, without `/Length`. */
  readonly dictionary: string;
  readonly data: Buffer;
}

/**
 * Reads a holder's photo, so that a photo that cannot be embedded fails with
 * `production.photo_invalid` before a page is started. A JPEG passes through as DCT (§7.4.8); a
 * PNG's compressed rows pass through as Flate with the PNG predictors (§7.4.4.4), after a PNG
 * with transparency or interlacing is flattened onto white (see `png.ts`).
 */
export function openPhoto(bytes: Buffer): OpenedImage {
  const type = photoTypeOf(bytes);
  if (!type) throw new TesseraError("production.photo_invalid", "The photo is neither a JPEG nor a PNG.");
  try {
    return type === "jpeg" ? openJpeg(bytes) : openPng(preparePngForPdf(bytes));
  } catch (error) {
    throw new TesseraError(
      "production.photo_invalid",
      `The ${type.toUpperCase()} photo cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { type },
      { cause: error },
    );
  }
}

/** JPEG start-of-frame markers (ITU-T T.81 B.1.1.3): SOF0–SOF15 but DHT, JPG and DAC. */
const isStartOfFrame = (marker: number) =>
  marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc;

const jpegColourSpaces: Record<number, string> = { 1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK" };

function openJpeg(data: Buffer): OpenedImage {
  let position = 2;
  let frame: number | undefined;
  while (position + 4 <= data.length) {
    while (position < data.length && data[position] !== 0xff) position++;
    if (position + 4 > data.length) break;
    const marker = data.readUInt16BE(position);
    position += 2;
    if (isStartOfFrame(marker)) {
      frame = position + 2;
      break;
    }
    position += data.readUInt16BE(position);
  }
  if (frame === undefined || frame + 6 > data.length) throw new Error("no start-of-frame segment");
  const bits = data[frame]!;
  const height = data.readUInt16BE(frame + 1);
  const width = data.readUInt16BE(frame + 3);
  const colourSpace = jpegColourSpaces[data[frame + 5]!];
  if (!colourSpace || width === 0 || height === 0) throw new Error("unsupported frame");
  // Adobe's CMYK JPEGs store the components inverted (as pdfkit and every reader assume).
  const decode = colourSpace === "/DeviceCMYK" ? "/Decode[1 0 1 0 1 0 1 0]" : "";
  return {
    width,
    height,
    orientation: exifOrientation(data),
    dictionary: `/Type/XObject/Subtype/Image/BitsPerComponent ${bits}/Width ${width}/Height ${height}/ColorSpace${colourSpace}/Filter/DCTDecode${decode}`,
    data,
  };
}

/**
 * The marker segments of a JPEG before its scan (ITU-T T.81 B.1): each with where it starts and
 * ends in `data`, its body after the length. Stops at the scan, or where the data is cut short.
 */
function* headerSegments(
  data: Buffer,
): Generator<{ marker: number; start: number; body: number; end: number }> {
  let position = 2;
  while (position + 4 < data.length) {
    while (position < data.length && data[position] !== 0xff) position++;
    if (position + 4 >= data.length) return;
    const start = position;
    const marker = data.readUInt16BE(position);
    position += 2;
    if (marker === 0xffda) return;
    if ((marker >= 0xffd0 && marker <= 0xffd9) || marker === 0xff01) continue;
    const end = position + data.readUInt16BE(position);
    if (end > data.length) return;
    yield { marker, start, body: position + 2, end };
    position = end;
  }
}

/** Whether a segment is an APP1 Exif segment. */
const isExif = (data: Buffer, segment: { marker: number; body: number; end: number }) =>
  segment.marker === 0xffe1 &&
  segment.body + 6 <= segment.end &&
  data.toString("latin1", segment.body, segment.body + 6) === "Exif\0\0";

/** The EXIF orientation of a JPEG (CIPA DC-008 §4.6.4, tag 0x0112), 1 when it has none. */
function exifOrientation(data: Buffer): number {
  for (const segment of headerSegments(data)) {
    if (!isExif(data, segment)) continue;
    const tiff = segment.body + 6;
    if (tiff + 8 > data.length) return 1;
    const order = data.toString("latin1", tiff, tiff + 2);
    if (order !== "II" && order !== "MM") return 1;
    const read16 = (at: number) => (order === "II" ? data.readUInt16LE(at) : data.readUInt16BE(at));
    const read32 = (at: number) => (order === "II" ? data.readUInt32LE(at) : data.readUInt32BE(at));
    if (read16(tiff + 2) !== 42) return 1;
    const directory = tiff + read32(tiff + 4);
    if (directory + 2 > data.length) return 1;
    for (let i = 0; i < read16(directory); i++) {
      const entry = directory + 2 + i * 12;
      if (entry + 12 > data.length) return 1;
      if (read16(entry) === 0x0112) {
        const value = read16(entry + 8);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }
  return 1;
}

/**
 * A JPEG without its Exif segments. Where a print file's page places a photo, its matrix has
 * turned it by its orientation already (a PDF reader ignores EXIF); a browser showing the page's
 * picture would read the orientation and turn the photo a second time.
 */
export function withoutExif(data: Buffer): Buffer {
  const exif = [...headerSegments(data)].filter((segment) => isExif(data, segment));
  if (exif.length === 0) return data;
  const kept: Buffer[] = [];
  let from = 0;
  for (const segment of exif) {
    kept.push(data.subarray(from, segment.start));
    from = segment.end;
  }
  kept.push(data.subarray(from));
  return Buffer.concat(kept);
}

const pngColourSpaces: Record<number, { space: string; colours: number }> = {
  0: { space: "/DeviceGray", colours: 1 },
  2: { space: "/DeviceRGB", colours: 3 },
  3: { space: "", colours: 1 },
};

/** An opaque, non-interlaced PNG (what `preparePngForPdf` returns): its rows pass through. */
function openPng(bytes: Buffer): OpenedImage {
  const { header, palette, data } = readPngChunks(bytes);
  const colour = pngColourSpaces[header.colorType];
  if (!colour || header.interlaced) throw new Error("unsupported PNG layout");
  let space = colour.space;
  if (header.colorType === 3) {
    if (!palette) throw new Error("palette missing");
    space = `[/Indexed/DeviceRGB ${palette.length / 3 - 1}<${palette.toString("hex")}>]`;
  }
  return {
    width: header.width,
    height: header.height,
    orientation: 1,
    dictionary:
      `/Type/XObject/Subtype/Image/BitsPerComponent ${header.bitDepth}/Width ${header.width}/Height ${header.height}` +
      `/ColorSpace${space}/Filter/FlateDecode/DecodeParms<</Predictor 15/Colors ${colour.colours}/BitsPerComponent ${header.bitDepth}/Columns ${header.width}>>`,
    data,
  };
}

/** Writes `image` into `pdf` as an image XObject; returns its object number. */
export function embedImage(pdf: PdfOutput, image: OpenedImage): number {
  const id = pdf.reserve();
  pdf.writeObject(id, image.dictionary, image.data);
  return id;
}

/**
 * The matrix that draws an image scaled to cover the box (x, y, width, height), centred, and
 * turned by its EXIF orientation, in top-left page coordinates — as pdfkit's `image` with
 * `cover`, `align: "center"` and `valign: "center"` places it. Clip to the box to crop.
 */
export function coverMatrix(
  image: OpenedImage,
  box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
): Matrix {
  const turned = image.orientation > 4;
  const width = turned ? image.height : image.width;
  const height = turned ? image.width : image.height;
  let w: number;
  let h: number;
  if (width / height > box.width / box.height) {
    h = box.height;
    w = box.height * (width / height);
  } else {
    w = box.width;
    h = box.width / (width / height);
  }
  const x = box.x + box.width / 2 - w / 2;
  const y = box.y + box.height / 2 - h / 2;
  // pdfkit's cases: the image matrix, and a rotation about (x, y) applied after it.
  let m: Matrix;
  let angle = 0;
  switch (image.orientation) {
    case 2:
      m = [-w, 0, 0, -h, x + w, y + h];
      break;
    case 3:
      m = [w, 0, 0, -h, x - w, y];
      angle = 180;
      break;
    case 4:
      m = [w, 0, 0, h, x, y];
      break;
    case 5:
      m = [h, 0, 0, w, x, y - w];
      angle = 90;
      break;
    case 6:
      m = [h, 0, 0, -w, x, y];
      angle = 90;
      break;
    case 7:
      m = [-h, 0, 0, -w, x + h, y];
      angle = 90;
      break;
    case 8:
      m = [h, 0, 0, -w, x - h, y + w];
      angle = -90;
      break;
    default:
      m = [w, 0, 0, -h, x, y + h];
  }
  if (angle === 0) return m;
  const radians = (angle * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const rotation: Matrix = [cos, sin, -sin, cos, x - (x * cos - y * sin), y - (x * sin + y * cos)];
  return multiply(m, rotation);
}
