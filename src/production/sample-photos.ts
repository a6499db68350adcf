import { encodePng } from "./png.js";

/**
 * Small, valid portrait images made in code, for tests and the benchmark: no binary fixtures,
 * no image tools. The JPEG is a baseline grayscale JPEG whose 8×8 blocks are flat (only DC
 * coefficients, ITU-T T.81 Annex F), the PNG an 8-bit RGB or RGBA PNG (RFC 2083). Both draw the same
 * head-and-shoulders figure, so a rendered card shows whether the photo is placed and cropped well.
 */

/** Whether (x, y) of a width × height portrait is the figure (head or shoulders) or background. */
function isFigure(x: number, y: number, width: number, height: number): boolean {
  const u = x / width - 0.5;
  const v = y / height;
  return u * u + ((v - 0.4) / 1.25) ** 2 < 0.045 || (u / 0.45) ** 2 + ((v - 1.05) / 0.33) ** 2 < 1;
}

/** Lightness 0–255 of the sample portrait at (x, y) in a width × height image. */
function portraitShade(x: number, y: number, width: number, height: number): number {
  if (isFigure(x, y, width, height)) return y / height < 0.7 ? 190 : 60;
  return Math.round(225 - (40 * y) / height);
}

/** A JPEG marker segment (ITU-T T.81 B.1): the marker, then a length that counts itself, then `body`. */
export const jpegSegment = (marker: number, body: number[]) => [
  0xff,
  marker,
  (body.length + 2) >> 8,
  (body.length + 2) & 0xff,
  ...body,
];

/**
 * `jpeg` with an APP1 Exif segment (CIPA DC-008) saying how it is to be turned: a big-endian
 * TIFF header and one IFD entry, Orientation = `orientation` (3 is 180°, 6 a quarter turn clockwise).
 */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const exif = jpegSegment(0xe1, [
    ...Buffer.from("Exif\0\0", "latin1"),
    ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08],
    ...[0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00],
    ...[0x00, 0x00, 0x00, 0x00],
  ]);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from(exif), jpeg.subarray(2)]);
}

/**
 * A grayscale baseline JPEG portrait; width and height are rounded up to multiples of 8.
 * `paddingBytes` adds a comment segment, to give the file the size of a real photo (≈ 9 KB).
 */
export function createSampleJpeg(width = 96, height = 120, paddingBytes = 0): Buffer {
  const blocksX = Math.ceil(width / 8);
  const blocksY = Math.ceil(height / 8);
  // Quantization: 8 for DC, so the coefficient is the block mean minus 128; AC is unused.
  const dqt = jpegSegment(0xdb, [0x00, 8, ...new Array<number>(63).fill(1)]);
  const h = blocksY * 8;
  const w = blocksX * 8;
  const sof0 = jpegSegment(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]);
  // The standard luminance DC table (T.81 Table K.3) and an AC table holding only EOB.
  const dcLengths = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dht = [
    ...jpegSegment(0xc4, [0x00, ...dcLengths, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ...jpegSegment(0xc4, [0x10, 1, ...new Array<number>(15).fill(0), 0x00]),
  ];
  const sos = jpegSegment(0xda, [1, 1, 0x00, 0, 63, 0]);

  // Canonical Huffman codes for the DC categories (T.81 Annex C).
  const dcCodes: { code: number; length: number }[] = [];
  let code = 0;
  dcLengths.forEach((count, index) => {
    for (let i = 0; i < count; i++) dcCodes.push({ code: code++, length: index + 1 });
    code <<= 1;
  });

  const scan: number[] = [];
  let bitBuffer = 0;
  let bitCount = 0;
  const writeBits = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      bitBuffer = (bitBuffer << 1) | ((value >> i) & 1);
      if (++bitCount === 8) {
        scan.push(bitBuffer);
        if (bitBuffer === 0xff) scan.push(0x00); // byte stuffing (T.81 F.1.2.3)
        bitBuffer = 0;
        bitCount = 0;
      }
    }
  };
  let previousDc = 0;
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      const dc = portraitShade(bx * 8 + 4, by * 8 + 4, w, h) - 128;
      const difference = dc - previousDc;
      previousDc = dc;
      const magnitude = Math.abs(difference);
      const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
      const huffman = dcCodes[category]!;
      writeBits(huffman.code, huffman.length);
      if (category > 0) writeBits(difference > 0 ? difference : difference + (1 << category) - 1, category);
      writeBits(0, 1); // EOB: all AC coefficients are zero
    }
  }
  if (bitCount > 0) writeBits((1 << (8 - bitCount)) - 1, 8 - bitCount); // pad with 1-bits

  const jfif = jpegSegment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const comment =
    paddingBytes > 0 ? jpegSegment(0xfe, new Array<number>(Math.min(paddingBytes, 65_000)).fill(0x20)) : [];
  return Buffer.from([0xff, 0xd8, ...jfif, ...comment, ...dqt, ...sof0, ...dht, ...sos, ...scan, 0xff, 0xd9]);
}

/**
 * An 8-bit RGB PNG portrait, tinted so it is told apart from the JPEG; with
 * `transparentBackground`, an RGBA PNG whose background is fully transparent (as photos cut out
 * in an editor often are).
 */
export function createSamplePng(width = 96, height = 120, transparentBackground = false): Buffer {
  const channels = transparentBackground ? 4 : 3;
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shade = portraitShade(x, y, width, height);
      const pixel = (y * width + x) * channels;
      pixels[pixel] = Math.min(255, shade + 20);
      pixels[pixel + 1] = shade;
      pixels[pixel + 2] = Math.max(0, shade - 25);
      if (transparentBackground) pixels[pixel + 3] = isFigure(x, y, width, height) ? 255 : 0;
    }
  }
  return encodePng(width, height, pixels, channels);
}
