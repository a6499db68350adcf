import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool } from "../test-support/tools.js";
import type { CardFace } from "./card-face.js";
import { openPdfOutput } from "./pdf-output.js";
import { createPrintFileWriter } from "./print-file.js";
import { createSampleJpeg } from "./sample-photos.js";

const layout = { title: "EMPLOYEE ID", accentColor: "#1f4e79" };
const face = (i: number, photo?: Buffer): CardFace => ({
  cardNumber: `7001${String(i).padStart(8, "0")}`,
  firstName: "Ada",
  lastName: `Lovelace ${i}`,
  expiry: new Date("2029-03-31T00:00:00Z"),
  photo,
});

describe("openPdfOutput", () => {
  it("holds the producer while a slow output drains, so memory stays bounded", async () => {
    // ≈ 20 KB a page, 150 pages: without backpressure ≈ 3 MB would queue in the output.
    const photo = createSampleJpeg(96, 120, 20_000);
    const received: Buffer[] = [];
    let mostQueued = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        mostQueued = Math.max(mostQueued, this.writableLength);
        received.push(chunk);
        setTimeout(callback, 3);
      },
    });
    const writer = createPrintFileWriter(slow, { layout });
    let producerWaited = 0;
    for (let i = 0; i < 150; i++) {
      let settled = false;
      const added = writer.add(face(i, photo)).then(() => {
        settled = true;
      });
      await Promise.resolve();
      if (!settled) producerWaited++;
      await added;
    }
    await writer.finish();

    const pdf = Buffer.concat(received);
    expect(pdf.length).toBeGreaterThan(150 * 20_000);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\n?$/);
    expect(producerWaited).toBeGreaterThan(10);
    expect(mostQueued).toBeLessThan(512 * 1024);
  });

  it("reports an output that fails", async () => {
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error("disk full"));
      },
    });
    const writer = createPrintFileWriter(failing, { layout });
    const photo = createSampleJpeg(96, 120, 20_000);
    const produce = async () => {
      for (let i = 0; i < 50; i++) await writer.add(face(i, photo));
      await writer.finish();
    };
    await expect(produce()).rejects.toThrow("disk full");
  });

  it("reports an output closed before the end", async () => {
    const output = new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    });
    const writer = createPrintFileWriter(output, { layout });
    await writer.add(face(1));
    output.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(writer.add(face(2))).rejects.toMatchObject({ code: "production.output_closed" });
  });
});

describe.runIf(hasTool("pdfinfo", "poppler-utils"))("openPdfOutput page tree", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-pdf-output-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A regression guard for the installed pdfkit: memory stays flat only while written pages are
  // released from its page tree (see createPageTreePruner).
  it("keeps only references to pages already written, and the file stays whole", async () => {
    const file = path.join(dir, "pruned.pdf");
    const pdf = openPdfOutput(createWriteStream(file), { size: [200, 100], margin: 0 });
    for (let i = 0; i < 5; i++) {
      pdf.addPage({ size: [200, 100], margin: 0 });
      pdf.doc.font("Helvetica", 10).text(`page ${i + 1}`, 10, 10, { lineBreak: false });
    }
    const kids = (pdf.doc as unknown as { _root: { data: { Pages: { data: { Kids: object[] } } } } })._root
      .data.Pages.data.Kids;
    expect(kids).toHaveLength(5);
    for (const written of kids.slice(0, -1)) {
      expect(written).not.toHaveProperty("data");
      expect(String(written)).toMatch(/^\d+ 0 R$/);
    }
    expect(kids.at(-1)).toHaveProperty("data");
    await pdf.end();

    expect(execFileSync("pdfinfo", [file], { encoding: "utf8" })).toMatch(/^Pages:\s+5$/m);
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    for (let i = 1; i <= 5; i++) expect(text).toContain(`page ${i}`);
  });
});
