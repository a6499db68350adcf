import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool } from "../test-support/tools.js";
import type { CardFace } from "./card-face.js";
import { createPrintFileWriter } from "./print-file.js";
import { createSampleJpeg, createSamplePng } from "./sample-photos.js";

const pdftotext = (file: string, ...args: string[]) =>
  execFileSync("pdftotext", ["-layout", ...args, file, "-"], { encoding: "utf8" });
const pdfinfo = (file: string) => execFileSync("pdfinfo", [file], { encoding: "utf8" });
const layout = { title: "EMPLOYEE ID", accentColor: "#1f4e79" };
const expiry = new Date("2029-03-31T23:59:59Z");

const faces: CardFace[] = [
  {
    cardNumber: "700100000017",
    firstName: "Ada",
    lastName: "Lovelace",
    organization: "Analytical Engines Ltd",
    organizationalUnit: "Research & Development",
    title: "Chief Mathematician",
    expiry,
    photo: createSampleJpeg(),
  },
  {
    cardNumber: "700100000025",
    firstName: "Zoë",
    lastName: "Øster-Müller",
    organization: "Contoso",
    expiry,
    photo: createSamplePng(),
    layout: { title: "CONTRACTOR", accentColor: "#f2c94c" },
  },
  { cardNumber: "700100000033", firstName: "Grace", lastName: "Hopper", expiry },
  {
    cardNumber: "700100000041",
    firstName: "Maximilian-Alexander Friedrich",
    lastName: "von Hohenzollern-Sigmaringen",
    organization: "Contoso Worldwide Holdings Incorporated",
    organizationalUnit: "Procurement, Logistics and Facilities",
    title: "Senior Vice President",
    expiry,
  },
];

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
