import { crc32, inflateSync } from "node:zlib";
import { TesseraError } from "./errors.js";

/**
 * Reading a PNG's structure (ISO/IEC 15948, RFC 2083): the signature, every chunk with its
 * CRC, a sane IHDR, the palette a palette image needs, and the image data, inflated (bounded)
 * to exactly the size IHDR implies, with a known filter type on every row. Photos are checked
 * with it when they arrive; production decodes them with the same code (`production/png.ts`).
 */

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

export interface PngChunks {
  readonly header: PngHeader;
  readonly palette: Buffer | undefined;
  readonly transparency: Buffer | undefined;
  readonly data: Buffer;
}

/** One pass of the image (one, or Adam7's seven): where it starts, its steps and its size. */
export interface PngPass {
  readonly x0: number;
  readonly y0: number;
  readonly dx: number;
  readonly dy: number;
  readonly columns: number;
  readonly rows: number;
  /** Bytes of one row, without its filter-type byte. */
  readonly rowBytes: number;
}

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Larger photos are refused: a 1 MB PNG can otherwise inflate to gigabytes. */
export const maxPngPixels = 20_000_000;
export const pngChannelsOf: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const allowedDepths: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Adam7 passes: first column, first row, column step, row step (PNG §8.2). */
const adam7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The chunks of a PNG, each with a good CRC, up to IEND. Throws a `png.invalid` {@link TesseraError}. */
export function readPngChunks(bytes: Buffer): PngChunks {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(pngSignature))
    throw new TesseraError("png.invalid", "not a PNG signature");
  let header: PngHeader | undefined;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const data: Buffer[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) throw new TesseraError("png.invalid", "the file ends before IEND");
    const length = bytes.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new TesseraError("png.invalid", "a chunk runs past the end of the file");
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length)) {
      throw new TesseraError("png.invalid", `the ${type} chunk fails its CRC`);
    }
    offset = end;
    if (type === "IHDR") {
      if (header) throw new TesseraError("png.invalid", "IHDR appears twice");
      header = readHeader(body);
    } else if (!header) throw new TesseraError("png.invalid", "IHDR is not the first chunk");
    else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
  }
  if (!header) throw new TesseraError("png.invalid", "no IHDR chunk");
  if (data.length === 0) throw new TesseraError("png.invalid", "no image data");
  if (header.colorType === 3 && (!palette || palette.length === 0 || palette.length % 3 !== 0))
    throw new TesseraError("png.invalid", "no usable palette");
  return { header, palette, transparency, data: Buffer.concat(data) };
}

function readHeader(body: Buffer): PngHeader {
  if (body.length !== 13) throw new TesseraError("png.invalid", "IHDR has the wrong length");
  const width = body.readUInt32BE(0);
  const height = body.readUInt32BE(4);
  const bitDepth = body[8]!;
  const colorType = body[9]!;
  const interlace = body[12]!;
  if (width === 0 || height === 0) throw new TesseraError("png.invalid", "the image is empty");
  if (width * height > maxPngPixels)
    throw new TesseraError("png.invalid", `the image has more than ${maxPngPixels} pixels`);
  if (!allowedDepths[colorType]?.includes(bitDepth)) {
    throw new TesseraError("png.invalid", `colour type ${colorType} with bit depth ${bitDepth} is not PNG`);
  }
  if (body[10] !== 0 || body[11] !== 0 || interlace > 1)
    throw new TesseraError("png.invalid", "unknown compression, filter or interlace method");
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

/** The passes of the image: one, or Adam7's seven; empty passes of a small image are left out. */
export function pngPasses(header: PngHeader): PngPass[] {
  const bitsPerPixel = pngChannelsOf[header.colorType]! * header.bitDepth;
  const passes = header.interlaced ? adam7 : ([[0, 0, 1, 1]] as const);
  return passes
    .map(([x0, y0, dx, dy]) => {
      const columns = Math.ceil((header.width - x0) / dx);
      const rows = Math.ceil((header.height - y0) / dy);
      return { x0, y0, dx, dy, columns, rows, rowBytes: Math.ceil((columns * bitsPerPixel) / 8) };
    })
    .filter((pass) => pass.columns > 0 && pass.rows > 0);
}

/**
 * The filtered rows of the image: the IDAT data inflated to exactly the size IHDR implies
 * (maxOutputLength refuses a decompression bomb before it is in memory), each row starting
 * with a filter type of 0–4 (PNG §9.2).
 */
export function inflatePngRows(chunks: PngChunks): { raw: Buffer; passes: PngPass[] } {
  const passes = pngPasses(chunks.header);
  const expected = passes.reduce((sum, { rows, rowBytes }) => sum + rows * (1 + rowBytes), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(chunks.data, { maxOutputLength: expected });
  } catch (error) {
    throw new TesseraError(
      "png.invalid",
      `the image data cannot be decompressed: ${(error as Error).message}`,
    );
  }
  if (raw.length !== expected) throw new TesseraError("png.invalid", "the image data has the wrong length");
  let offset = 0;
  for (const { rows, rowBytes } of passes) {
    for (let row = 0; row < rows; row++, offset += rowBytes + 1)
      if (raw[offset]! > 4) throw new TesseraError("png.invalid", `unknown filter type ${raw[offset]}`);
  }
  return { raw, passes };
}
