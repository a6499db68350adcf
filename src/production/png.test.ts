import { crc32, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { maxPngPixels, preparePngForPdf } from "./png.js";

type Pixel = readonly number[];

interface TestPng {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  interlaced?: boolean;
  filter?: 0 | 1 | 2 | 3 | 4;
  palette?: number[];
  transparency?: number[];
  /** The raw samples of the pixel at (x, y), in the image's bit depth. */
  samples(x: number, y: number): Pixel;
}

/**
 * Adam7 as PNG §8.2 draws it: the pass (1–7) of each pixel of an 8 × 8 tile. Written here from
 * the figure, not as the decoder's table of starts and steps, so neither can vouch for the other.
 */
const adam7Tile = [
  "16462646",
  "77777777",
  "56565656",
  "77777777",
  "36463646",
  "77777777",
  "56565656",
  "77777777",
];
const adam7PassOf = (x: number, y: number) => Number(adam7Tile[y % 8]![x % 8]);
const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number) {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** A straightforward PNG encoder for the test images: every colour type, depth, filter, Adam7. */
function encodeTestPng(png: TestPng, idat?: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(png.width, 0);
  header.writeUInt32BE(png.height, 4);
  header.set([png.bitDepth, png.colorType, 0, 0, png.interlaced ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    ...(png.palette ? [chunk("PLTE", Buffer.from(png.palette))] : []),
    ...(png.transparency ? [chunk("tRNS", Buffer.from(png.transparency))] : []),
    chunk("IDAT", idat ?? deflateSync(filteredRows(png))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function filteredRows(png: TestPng): Buffer {
  const bitsPerPixel = channels[png.colorType] * png.bitDepth;
  const step = Math.max(1, bitsPerPixel >> 3);
  const out: number[] = [];
  // Each pass is the image's rows narrowed to that pass's pixels; rows left without any are not
  // in the pass, and a pass without pixels writes nothing (PNG §8.2).
  for (const pass of png.interlaced ? [1, 2, 3, 4, 5, 6, 7] : [0]) {
    const inPass = (x: number, y: number) => pass === 0 || adam7PassOf(x, y) === pass;
    let previous: number[] = [];
    for (let y = 0; y < png.height; y++) {
      const columns = Array.from({ length: png.width }, (_, x) => x).filter((x) => inPass(x, y));
      if (columns.length === 0) continue;
      const rowBytes = Math.ceil((columns.length * bitsPerPixel) / 8);
      const raw = new Array<number>(rowBytes).fill(0);
      let bit = 0;
      for (const x of columns) {
        for (const value of png.samples(x, y)) {
          if (png.bitDepth === 16) {
            raw[bit >> 3] = value >> 8;
            raw[(bit >> 3) + 1] = value & 0xff;
          } else if (png.bitDepth === 8) {
            raw[bit >> 3] = value;
          } else {
            raw[bit >> 3]! |= value << (8 - png.bitDepth - (bit & 7));
          }
          bit += png.bitDepth;
        }
      }
      const filter = png.filter ?? 0;
      out.push(filter);
      raw.forEach((value, i) => {
        const left = i >= step ? raw[i - step]! : 0;
        const up = previous[i] ?? 0;
        const upLeft = i >= step ? (previous[i - step] ?? 0) : 0;
        const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
        out.push((value - predictor) & 0xff);
      });
      previous = raw;
    }
  }
  return Buffer.from(out);
}

/** Reads the opaque RGB PNG preparePngForPdf writes (8-bit RGB, Up-filtered rows). */
function readRgbPng(bytes: Buffer): { width: number; height: number; pixel(x: number, y: number): Pixel } {
  expect(bytes.toString("latin1", 12, 16)).toBe("IHDR");
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  expect([...bytes.subarray(24, 29)]).toEqual([8, 2, 0, 0, 0]);
  const idatLength = bytes.readUInt32BE(33);
  expect(bytes.toString("latin1", 37, 41)).toBe("IDAT");
  const rows = inflateSync(bytes.subarray(41, 41 + idatLength));
  const rowBytes = width * 3;
  const rgb = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    expect(rows[y * (rowBytes + 1)]).toBe(2);
    for (let i = 0; i < rowBytes; i++) {
      const up = y > 0 ? rgb[(y - 1) * rowBytes + i]! : 0;
      rgb[y * rowBytes + i] = (rows[y * (rowBytes + 1) + 1 + i]! + up) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)] };
}

const onWhite = (value: number, alpha: number) => Math.round((value * alpha + 255 * (255 - alpha)) / 255);

describe("preparePngForPdf", () => {
  it("passes an opaque, non-interlaced PNG through untouched", () => {
    const png = encodeTestPng({
      width: 3,
      height: 2,
      colorType: 2,
      bitDepth: 8,
      samples: (x, y) => [x * 80, y * 100, 7],
    });
    expect(preparePngForPdf(png)).toBe(png);
  });

  it.each([0, 1, 2, 3, 4] as const)("composites RGBA onto white, rows with filter %i", (filter) => {
    // Small, repeating values make the filters' predictors tie, as in real photos' flat areas.
    const noise = (x: number, y: number, c: number) => ((x * 7 + y * 13 + c * 5) * 2654435761) % 5;
    const samples = (x: number, y: number) =>
      x < 5 && y === 0
        ? [x * 40, 60, 200 - x * 10, [255, 0, 128, 64, 200][x]!]
        : [noise(x, y, 0) * 60, noise(x, y, 1) * 60, noise(x, y, 2) * 60, 255 - noise(x, y, 3) * 60];
    const png = encodeTestPng({ width: 16, height: 12, colorType: 6, bitDepth: 8, filter, samples });
    const image = readRgbPng(preparePngForPdf(png));
    expect([image.width, image.height]).toEqual([16, 12]);
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 16; x++) {
        const [r, g, b, a] = samples(x, y) as [number, number, number, number];
        expect(image.pixel(x, y), `(${x}, ${y})`).toEqual([onWhite(r, a), onWhite(g, a), onWhite(b, a)]);
      }
    }
    expect(image.pixel(1, 0)).toEqual([255, 255, 255]);
    expect(image.pixel(0, 0)).toEqual([0, 60, 200]);
  });

  it("reassembles all seven Adam7 passes", () => {
    const samples = (x: number, y: number) => [x * 25, y * 25, (x * y) % 256];
    const png = encodeTestPng({
      width: 9,
      height: 10,
      colorType: 2,
      bitDepth: 8,
      interlaced: true,
      filter: 4,
      samples,
    });
    const image = readRgbPng(preparePngForPdf(png));
    for (let y = 0; y < 10; y++) for (let x = 0; x < 9; x++) expect(image.pixel(x, y)).toEqual(samples(x, y));
  });

  it("reads a 4-bit palette with tRNS alpha, rows ending mid-byte", () => {
    const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
    const png = encodeTestPng({
      width: 5,
      height: 2,
      colorType: 3,
      bitDepth: 4,
      palette,
      transparency: [255, 0],
      filter: 1,
      samples: (x, y) => [(x + y) % 3],
    });
    const image = readRgbPng(preparePngForPdf(png));
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 5; x++) {
        const index = (x + y) % 3;
        const expected = index === 1 ? [255, 255, 255] : palette.slice(index * 3, index * 3 + 3);
        expect(image.pixel(x, y), `(${x}, ${y})`).toEqual(expected);
      }
    }
  });

  it("reads grey at 2 bits with a tRNS key, grey+alpha and RGB at 16 bits", () => {
    const grey2 = readRgbPng(
      preparePngForPdf(
        encodeTestPng({
          width: 4,
          height: 1,
          colorType: 0,
          bitDepth: 2,
          transparency: [0, 3],
          samples: (x) => [x],
        }),
      ),
    );
    expect([0, 1, 2, 3].map((x) => grey2.pixel(x, 0))).toEqual([
      [0, 0, 0],
      [85, 85, 85],
      [170, 170, 170],
      [255, 255, 255], // the key colour is transparent: white
    ]);

    const greyAlpha16 = readRgbPng(
      preparePngForPdf(
        encodeTestPng({
          width: 2,
          height: 1,
          colorType: 4,
          bitDepth: 16,
          samples: (x) => [0x1234, x === 0 ? 0xffff : 0],
        }),
      ),
    );
    expect(greyAlpha16.pixel(0, 0)).toEqual([0x12, 0x12, 0x12]);
    expect(greyAlpha16.pixel(1, 0)).toEqual([255, 255, 255]);

    const rgb16 = readRgbPng(
      preparePngForPdf(
        encodeTestPng({
          width: 2,
          height: 1,
          colorType: 2,
          bitDepth: 16,
          transparency: [0x01, 0x02, 0x03, 0x04, 0x05, 0x06],
          samples: (x) => (x === 0 ? [0x0102, 0x0304, 0x0506] : [0xabcd, 0x1234, 0x8000]),
        }),
      ),
    );
    expect(rgb16.pixel(0, 0)).toEqual([255, 255, 255]);
    expect(rgb16.pixel(1, 0)).toEqual([0xab, 0x12, 0x80]);
  });

  it("refuses broken and oversized PNGs with a reason, never asynchronously", () => {
    /** A side × side RGBA PNG; with `idat`, that image data in place of the pixels'. */
    const square = (side: number, idat?: Buffer) =>
      encodeTestPng(
        { width: side, height: side, colorType: 6, bitDepth: 8, samples: () => [1, 2, 3, 4] },
        idat,
      );
    const good = square(2);
    const badCrc = Buffer.from(good);
    badCrc[30]! ^= 0xff;
    const corruptData = square(2, Buffer.from("this is not zlib"));
    const shortData = square(2, deflateSync(Buffer.alloc(5)));
    const badFilter = square(1, deflateSync(Buffer.from([7, 0, 0, 0, 0])));
    const huge = square(Math.ceil(Math.sqrt(maxPngPixels + 1)), deflateSync(Buffer.alloc(1)));
    const cases: [Buffer, RegExp][] = [
      [good.subarray(0, 40), /ends before IEND|past the end/],
      [badCrc, /CRC/],
      [corruptData, /cannot be decompressed/],
      [shortData, /wrong length/],
      [badFilter, /filter type 7/],
      [huge, /more than/],
    ];
    for (const [bytes, reason] of cases) {
      expect(() => preparePngForPdf(bytes)).toThrow(expect.objectContaining({ code: "png.invalid" }));
      expect(() => preparePngForPdf(bytes)).toThrow(reason);
    }
  });
});
