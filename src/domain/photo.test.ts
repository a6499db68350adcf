import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createSampleJpeg, createSamplePng, jpegSegment } from "../production/sample-photos.js";
import { checkPhoto } from "./photo.js";

/** A PNG built here from the specification, byte by byte, so the check is not its own oracle. */
function chunk(type: string, data: Buffer, badCrc = false): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(typed) ^ (badCrc ? 1 : 0)) >>> 0);
  return Buffer.concat([length, typed, crc]);
}
const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function ihdr(width: number, height: number, depth = 8, colorType = 2, interlace = 0): Buffer {
  const body = Buffer.alloc(13);
  body.writeUInt32BE(width, 0);
  body.writeUInt32BE(height, 4);
  body.set([depth, colorType, 0, 0, interlace], 8);
  return chunk("IHDR", body);
}
/** The signature, these chunks and IEND: a PNG broken where the chunks say. */
const pngOf = (...chunks: Buffer[]) => Buffer.concat([signature, ...chunks, chunk("IEND", Buffer.alloc(0))]);
/** A width × height 8-bit RGB PNG with filter type 0 on every row, or `rows` as given. */
function png(
  width: number,
  height: number,
  options: { rows?: Buffer; extra?: Buffer[]; end?: boolean } = {},
) {
  // Filter type 0 (None) on every row, then the pixels' bytes.
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  const rows = options.rows ?? Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    signature,
    ihdr(width, height),
    ...(options.extra ?? []),
    chunk("IDAT", deflateSync(rows)),
    ...(options.end === false ? [] : [chunk("IEND", Buffer.alloc(0))]),
  ]);
}

/** JPEGs by hand (ITU-T T.81 B.1), segment by segment; a segment is written as the sample photos' are. */
const sof = (width: number, height: number) =>
  jpegSegment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
const sos = jpegSegment(0xda, [1, 1, 0, 0, 63, 0]);
const jpeg = (...parts: number[][]) => Buffer.from(parts.flat());
const soi = [0xff, 0xd8];
const eoi = [0xff, 0xd9];
const scanData = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56];

describe("checkPhoto", () => {
  it("accepts the sample photos production uses, and hand-made PNGs and JPEGs", () => {
    for (const photo of [
      createSampleJpeg(),
      createSampleJpeg(300, 400, 9000),
      createSamplePng(),
      createSamplePng(300, 400, true),
      png(3, 2),
      png(1, 1, { extra: [chunk("tEXt", Buffer.from("Comment\0hello"))] }),
      jpeg(soi, jpegSegment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0]), sof(16, 8), sos, scanData, eoi),
      jpeg(soi, sof(16, 8), sos, scanData, [0xff, 0xff], eoi, [0, 0, 0]), // fill bytes; data after EOI
    ])
      expect(checkPhoto(photo)).toMatchObject({ ok: true });
    expect(checkPhoto(createSamplePng(30, 40))).toEqual({
      ok: true,
      type: "image/png",
      width: 30,
      height: 40,
    });
    expect(checkPhoto(jpeg(soi, sof(16, 8), sos, scanData, eoi))).toEqual({
      ok: true,
      type: "image/jpeg",
      width: 16,
      height: 8,
    });
  });

  it("refuses a PNG signature on garbage, and every broken PNG", () => {
    const good = png(3, 2);
    const garbage = Buffer.concat([signature, Buffer.alloc(64, 1)]);
    const cases: [string, Buffer][] = [
      ["signature on garbage", garbage],
      ["a bad CRC", pngOf(ihdr(3, 2), chunk("IDAT", deflateSync(Buffer.alloc(20)), true))],
      ["no IEND", png(3, 2, { end: false })],
      ["IDAT that does not inflate", pngOf(ihdr(3, 2), chunk("IDAT", Buffer.from("not zlib")))],
      ["IDAT too short for IHDR", png(3, 2, { rows: Buffer.alloc(10) })],
      ["IDAT too long for IHDR", png(3, 2, { rows: Buffer.alloc(10_000) })],
      ["a row with filter type 9", png(3, 2, { rows: Buffer.alloc(20, 9) })],
      ["zero width", pngOf(ihdr(0, 2), chunk("IDAT", deflateSync(Buffer.alloc(2))))],
      ["bit depth 3", pngOf(ihdr(3, 2, 3), chunk("IDAT", deflateSync(Buffer.alloc(20))))],
      [
        "a palette image without a palette",
        pngOf(ihdr(1, 1, 8, 3), chunk("IDAT", deflateSync(Buffer.alloc(2)))),
      ],
      ["IDAT before IHDR", pngOf(chunk("IDAT", deflateSync(Buffer.alloc(20))), ihdr(3, 2))],
      ["a decompression bomb", pngOf(ihdr(3, 2), chunk("IDAT", deflateSync(Buffer.alloc(50_000_000))))],
    ];
    for (let cut = 8; cut < good.length; cut += 7) cases.push([`cut at ${cut}`, good.subarray(0, cut)]);
    for (const [name, bytes] of cases) expect([name, checkPhoto(bytes).ok]).toEqual([name, false]);
  });

  it("refuses a JPEG SOI on garbage, and every broken JPEG", () => {
    const good = createSampleJpeg();
    const cases: [string, Buffer][] = [
      ["SOI on garbage", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)])],
      ["no frame", jpeg(soi, sos, scanData, eoi)],
      ["an empty frame", jpeg(soi, sof(0, 8), sos, scanData, eoi)],
      ["a frame of height 0", jpeg(soi, sof(16, 0), sos, scanData, eoi)],
      ["a frame of 65535 × 65535 pixels", jpeg(soi, sof(65535, 65535), sos, scanData, eoi)],
      ["no scan", jpeg(soi, sof(16, 8), eoi)],
      ["no EOI", jpeg(soi, sof(16, 8), sos, scanData)],
      ["a segment longer than the file", jpeg(soi, sof(16, 8), [0xff, 0xe1, 0x40, 0x00, 1, 2, 3])],
      ["a segment length below 2", jpeg(soi, [0xff, 0xe1, 0x00, 0x01], sof(16, 8), sos, scanData, eoi)],
      [
        "a frame header of the wrong length",
        jpeg(soi, jpegSegment(0xc0, [8, 0, 8, 0, 16, 2, 1, 0x11, 0]), sos, scanData, eoi),
      ],
      ["bytes where a marker belongs", jpeg(soi, [0x12, 0x34], sof(16, 8), sos, scanData, eoi)],
      ["a second SOI", jpeg(soi, sof(16, 8), soi, sos, scanData, eoi)],
    ];
    for (let cut = 3; cut < good.length - 1; cut += Math.ceil(good.length / 40))
      cases.push([`cut at ${cut}`, good.subarray(0, cut)]);
    for (const [name, bytes] of cases) expect([name, checkPhoto(bytes).ok]).toEqual([name, false]);
  });

  it("says why a photo is refused", () => {
    expect(checkPhoto(Buffer.from("GIF89a"))).toEqual({ ok: false, reason: "neither a JPEG nor a PNG" });
    expect(checkPhoto(png(3, 2, { end: false }))).toEqual({ ok: false, reason: "the file ends before IEND" });
    expect(checkPhoto(jpeg(soi, sof(16, 8), eoi))).toEqual({
      ok: false,
      reason: "the JPEG has no scan (SOS)",
    });
  });
});
