import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { employeeLayout, sampleCardFaces } from "../test-support/card-faces.js";
import { hasTool } from "../test-support/tools.js";
import { createPrintFileWriter } from "./print-file.js";
import { createSampleJpeg, createSamplePng, jpegSegment } from "./sample-photos.js";

const pdftotext = (file: string, ...args: string[]) =>
  execFileSync("pdftotext", ["-layout", ...args, file, "-"], { encoding: "utf8" });
const pdfinfo = (file: string) => execFileSync("pdfinfo", [file], { encoding: "utf8" });

/** Page `page` rendered by poppler at 72 dpi (one pixel a point): the RGB of pixel (x, y). */
function renderPage(file: string, page: number) {
  const out = `${file}-${page}`;
  execFileSync("pdftoppm", ["-r", "72", "-f", String(page), "-l", String(page), "-singlefile", file, out]);
  const ppm = readFileSync(`${out}.ppm`);
  // P6: "P6 <width> <height> 255" and one white-space character, then RGB bytes.
  const header = /^P6\s+(\d+)\s+\d+\s+255\s/.exec(ppm.toString("latin1", 0, 32))!;
  const width = Number(header[1]);
  const pixels = ppm.subarray(header[0].length);
  return (x: number, y: number) => [...pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
}

const near = (actual: number[], expected: number[], tolerance = 4) =>
  actual.every((channel, index) => Math.abs(channel - expected[index]!) <= tolerance);
const layout = employeeLayout;
/** The sample faces, with every line short enough to be printed whole (page-svg's test takes a cut one). */
const faces = sampleCardFaces().map((face) => ({
  ...face,
  organization: face.organization?.replace(" of the Northern Hemisphere", ""),
}));

describe.runIf(hasTool("pdftotext", "poppler-utils"))("createPrintFileWriter", () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-print-file-"));
    file = path.join(dir, "cards.pdf");
    const writer = createPrintFileWriter(createWriteStream(file), {
      layout,
      documentTitle: "Batch 1 card faces",
    });
    for (const face of faces) await writer.add(face);
    expect(writer.pages).toBe(faces.length);
    await writer.finish();
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has one ID-1 page per card", () => {
    const info = pdfinfo(file);
    expect(info).toMatch(/^Pages:\s+4$/m);
    expect(info).toMatch(/^Page size:\s+242\.65 x 153\.01 pts$/m);
    expect(info).toMatch(/^Title:\s+Batch 1 card faces$/m);
  });

  it("prints each card's text on its own page, as text", () => {
    faces.forEach((face, index) => {
      const page = pdftotext(file, "-f", String(index + 1), "-l", String(index + 1));
      expect(page).toContain(face.cardNumber);
      expect(page).toContain(face.firstName);
      expect(page).toContain(face.lastName);
      expect(page).toContain("2029-03-31");
      for (const optional of [face.organization, face.organizationalUnit, face.title]) {
        if (optional) expect(page).toContain(optional);
      }
      expect(page).toContain(face.layout?.title ?? layout.title);
    });
  });

  it("embeds the photos and draws the barcodes as vectors", () => {
    const images = execFileSync("pdfimages", ["-list", file], { encoding: "utf8" })
      .split("\n")
      .slice(2)
      .filter((line) => line.trim() !== "");
    // Two photos (a JPEG passed through as DCT, a PNG as Flate), no barcode bitmaps.
    expect(images).toHaveLength(2);
    expect(images[0]).toMatch(/^\s*1\s+\d+\s+image\s+96\s+120\s+gray\s+1\s+8\s+jpeg/);
    expect(images[1]).toMatch(/^\s*2\s+\d+\s+image\s+96\s+120\s+rgb\s+3\s+8\s+image/);
  });

  it("paints each face as laid out: the layout's colour bands, the silhouette, the barcode (rendered by poppler)", () => {
    const first = renderPage(file, 1);
    expect(near(first(200, 5), [0x1f, 0x4e, 0x79])).toBe(true); // the band, #1f4e79
    expect(near(first(200, 151), [0x1f, 0x4e, 0x79])).toBe(true); // the stripe
    expect(near(first(200, 31), [255, 255, 255])).toBe(true);
    // The barcode: black bars and white spaces across its box (x 76–232, y 106–128).
    const row = Array.from({ length: 150 }, (_, i) => first(80 + i, 117)[0]!);
    expect(row.filter((value) => value < 60).length).toBeGreaterThan(30);
    expect(row.filter((value) => value > 200).length).toBeGreaterThan(30);

    expect(near(renderPage(file, 2)(200, 5), [0xf2, 0xc9, 0x4c])).toBe(true); // the card's own layout

    // No photo: the placeholder's background and the head of the silhouette.
    const third = renderPage(file, 3);
    expect(near(third(12, 40), [0xe8, 0xeb, 0xf0])).toBe(true);
    expect(near(third(38, 63), [0xb4, 0xbc, 0xc8])).toBe(true);
  });

  it("turns a JPEG photo by its EXIF orientation", async () => {
    // An APP1 Exif segment (CIPA DC-008): big-endian TIFF header, one IFD entry, Orientation = 3 (180°).
    const exif = jpegSegment(0xe1, [
      ...Buffer.from("Exif\0\0", "latin1"),
      ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08],
      ...[0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00],
      ...[0x00, 0x00, 0x00, 0x00],
    ]);
    const upright = createSampleJpeg();
    const turned = Buffer.concat([upright.subarray(0, 2), Buffer.from(exif), upright.subarray(2)]);
    const target = path.join(dir, "orientation.pdf");
    const writer = createPrintFileWriter(createWriteStream(target), { layout });
    await writer.add({ ...faces[2]!, photo: upright });
    await writer.add({ ...faces[2]!, photo: turned });
    await writer.finish();

    // The sample portrait's shoulders are dark at the bottom; turned by 180° they are at the top.
    const [top, bottom] = [40, 104];
    const uprightPage = renderPage(target, 1);
    expect(uprightPage(38, bottom)[0]).toBeLessThan(100);
    expect(uprightPage(38, top)[0]).toBeGreaterThan(180);
    const turnedPage = renderPage(target, 2);
    expect(turnedPage(38, top)[0]).toBeLessThan(100);
    expect(turnedPage(38, bottom)[0]).toBeGreaterThan(180);
  });

  it("flattens a transparent PNG onto white, and refuses a corrupt one instead of crashing", async () => {
    const target = path.join(dir, "transparent.pdf");
    const writer = createPrintFileWriter(createWriteStream(target), { layout });
    await writer.add({ ...faces[2]!, photo: createSamplePng(96, 120, true) });

    // A PNG whose image data is not zlib, with valid CRCs: pdfkit would throw from a callback.
    const corrupt = Buffer.from(createSamplePng(96, 120, true));
    const idat = corrupt.indexOf("IDAT");
    const length = corrupt.readUInt32BE(idat - 4);
    corrupt.fill(0xaa, idat + 4, idat + 4 + length);
    corrupt.writeUInt32BE(crc32(corrupt.subarray(idat, idat + 4 + length)), idat + 4 + length);
    await expect(writer.add({ ...faces[2]!, photo: corrupt })).rejects.toMatchObject({
      code: "production.photo_invalid",
    });
    await writer.finish();

    expect(pdfinfo(target)).toMatch(/^Pages:\s+1$/m);
    const images = execFileSync("pdfimages", ["-list", target], { encoding: "utf8" });
    expect(images).toMatch(/^\s*1\s+0\s+image\s+96\s+120\s+rgb\s+3\s+8\s+image/m);
    expect(images).not.toContain("smask");
  });

  it("refuses a card it cannot print faithfully, without a half page", async () => {
    const target = path.join(dir, "refusals.pdf");
    const writer = createPrintFileWriter(createWriteStream(target), { layout });
    await writer.add(faces[2]!);
    await expect(writer.add({ ...faces[2]!, lastName: "Dvořák" })).rejects.toMatchObject({
      code: "production.text_unprintable",
      details: { field: "holder's last name", characters: "ř" },
    });
    await expect(writer.add({ ...faces[2]!, firstName: "Дмитрий" })).rejects.toMatchObject({
      code: "production.text_unprintable",
    });
    await expect(
      writer.add({ ...faces[2]!, photo: Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]) }),
    ).rejects.toMatchObject({ code: "production.photo_invalid" });
    await expect(writer.add({ ...faces[2]!, photo: Buffer.from("GIF89a") })).rejects.toMatchObject({
      code: "production.photo_invalid",
    });
    await expect(writer.add({ ...faces[2]!, expiry: new Date("not a date") })).rejects.toMatchObject({
      code: "production.options_invalid",
    });
    await expect(writer.add({ ...faces[2]!, cardNumber: " " })).rejects.toMatchObject({
      code: "production.card_number_invalid",
    });
    await writer.add(faces[0]!);
    expect(writer.pages).toBe(2);
    await writer.finish();
    await expect(writer.add(faces[0]!)).rejects.toMatchObject({ code: "production.writer_finished" });

    expect(pdfinfo(target)).toMatch(/^Pages:\s+2$/m);
    const text = pdftotext(target);
    expect(text).toContain("700100000033");
    expect(text).toContain("700100000017");
  });
});
