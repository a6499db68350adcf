import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { employeeLayout, sampleCardFaces } from "../test-support/card-faces.js";
import { popplerWords } from "../test-support/poppler.js";
import { hasTool } from "../test-support/tools.js";
import { cardFaceOfHolder, cardFaceSvg } from "./card-face-svg.js";
import { pdfPageToSvg } from "./page-svg.js";
import { createPrintFileWriter } from "./print-file.js";

const layout = employeeLayout;
const expiry = new Date("2029-03-31T23:59:59Z");
const faces = sampleCardFaces();

/** One line of text as the SVG sets it: its words, left edge, baseline and width. */
interface SvgLine {
  text: string;
  x: number;
  baseline: number;
  width: number;
  fill: string;
}

function svgLines(svg: string): SvgLine[] {
  const fromXml = (text: string) => text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
  return [
    ...svg.matchAll(
      /<text transform="matrix\(1 0 0 1 ([\d.]+) ([\d.]+)\)"[^>]* fill="(#[0-9a-f]{6})" textLength="([\d.]+)"[^>]*>([^<]*)<\/text>/g,
    ),
  ].map((m) => ({
    x: Number(m[1]),
    baseline: Number(m[2]),
    fill: m[3]!,
    width: Number(m[4]),
    text: fromXml(m[5]!),
  }));
}

describe.runIf(hasTool("pdftotext", "poppler-utils"))("pdfPageToSvg", () => {
  let dir: string;
  let file: string;
  let pdf: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-page-svg-"));
    file = path.join(dir, "cards.pdf");
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on("data", (chunk: Buffer) => chunks.push(chunk));
    const writer = createPrintFileWriter(output, { layout });
    for (const face of faces) await writer.add(face);
    await writer.finish();
    pdf = Buffer.concat(chunks);
    writeFileSync(file, pdf);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("sets every word poppler reads on the page, where poppler reads it, and nothing else", () => {
    faces.forEach((_, index) => {
      const lines = svgLines(pdfPageToSvg(pdf, index));
      const words = popplerWords(file, index + 1);
      expect(words.length).toBeGreaterThan(5);
      // Every word of the PDF lies in an SVG line that holds it: same text, x-range and baseline.
      for (const word of words) {
        const holder = lines.find(
          (line) =>
            line.text.split(" ").includes(word.word) &&
            word.xMin >= line.x - 0.5 &&
            word.xMax <= line.x + line.width + 0.5 &&
            line.baseline > word.yMin &&
            line.baseline < word.yMax,
        );
        expect(holder, `page ${index + 1}: ${JSON.stringify(word)}`).toBeDefined();
      }
      // And the SVG has no word poppler does not read there.
      const svgWords = lines.flatMap((line) => line.text.split(" ").filter(Boolean)).sort();
      expect(svgWords).toEqual(words.map((w) => w.word).sort());
      // A line's width is where poppler ends its last word (Helvetica's advance widths on both sides).
      for (const line of lines) {
        const last = line.text.trimEnd().split(" ").at(-1)!;
        const word = words.find((w) => w.word === last && Math.abs(w.yMax - line.baseline) < 6)!;
        expect(Math.abs(line.x + line.width - word.xMax)).toBeLessThan(0.6);
      }
    });
  });

  it("draws the layout's band in its colour, the photo as an image, and the barcode as bars", () => {
    const first = pdfPageToSvg(pdf, 0);
    expect(first).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" role="img" viewBox="0 0 242\.65 153\.01"/,
    );
    expect(first).toContain('fill="#1f4e79"');
    expect(first).toMatch(/<image [^>]*href="data:image\/jpeg;base64,/);
    expect(pdfPageToSvg(pdf, 1)).toMatch(/<image [^>]*href="data:image\/png;base64,iVBORw0KGgo/);
    expect(pdfPageToSvg(pdf, 1)).toContain('fill="#f2c94c"');
    expect(pdfPageToSvg(pdf, 2)).not.toContain("<image");
    // The barcode: one black path of many rectangles.
    const bars = [...first.matchAll(/<path d="([^"]+)" fill="#000000"\/>/g)].map(
      (m) => m[1]!.split("Z").length,
    );
    expect(Math.max(...bars)).toBeGreaterThan(20);
  });

  it("refuses a page the file does not have, and a file that is not one Tessera wrote", () => {
    expect(() => pdfPageToSvg(pdf, faces.length)).toThrow(/has 4 pages, not 5/);
    expect(() => pdfPageToSvg(Buffer.from("%PDF-1.4\nnothing\n"))).toThrow(/startxref/);
  });

  it("draws a holder's face with the name on card, as production prints it", async () => {
    const face = cardFaceOfHolder(
      {
        firstName: "Maximiliane Theodora Friederike",
        lastName: "von Hohenzollern-Sigmaringen-Wittelsbach-Habsburg-Lothringen",
        nameOnCard: "Maximiliane von Hohenzollern",
        title: "Archivist",
        organization: null,
      },
      { cardNumber: "700100000058", expiry, layout },
    );
    const texts = svgLines(await cardFaceSvg(face, layout)).map((line) => line.text);
    expect(texts).toEqual([
      "EMPLOYEE ID",
      "CARD NO.",
      "VALID UNTIL",
      "Maximiliane von Hohenzollern",
      "Archivist",
      "700100000058",
      "2029-03-31",
    ]);
  });
});
