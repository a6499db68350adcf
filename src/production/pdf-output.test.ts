import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool } from "../test-support/tools.js";
import type { CardFace } from "./card-face.js";
import { PageContent } from "./page-content.js";
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

describe.runIf(hasTool("pdfinfo", "poppler-utils"))("openPdfOutput file structure", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-pdf-output-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** pdfinfo's output, and what it complained about on stderr (a broken xref or object is reported there). */
  const inspect = (file: string) => {
    const run = spawnSync("pdfinfo", [file], { encoding: "utf8" });
    return { status: run.status, info: run.stdout, complaints: run.stderr };
  };

  it("writes a file poppler reads without repairing: pages, forms, text and the info dictionary", async () => {
    const file = path.join(dir, "pages.pdf");
    const pdf = openPdfOutput(createWriteStream(file), {
      info: { Title: "Batch 7 — test (1)", Creator: "Tessera" },
    });
    const shared = new PageContent([200, 100], true);
    shared.text("shared line", "Helvetica", 10, 10, 40);
    const form = pdf.addForm(shared);
    for (let i = 0; i < 5; i++) {
      const page = new PageContent([200, 100]);
      page.text(`page ${i + 1}`, "Helvetica-Bold", 10, 10, 10);
      page.draw("Shared", form, [1, 0, 0, 1, 0, 0]);
      pdf.addPage([200, 100], page);
    }
    expect(pdf.pages).toBe(5);
    await pdf.end();

    const { status, info, complaints } = inspect(file);
    expect(status).toBe(0);
    expect(complaints).toBe("");
    expect(info).toMatch(/^Pages:\s+5$/m);
    expect(info).toMatch(/^Page size:\s+200 x 100 pts$/m);
    expect(info).toMatch(/^Title:\s+Batch 7 — test \(1\)$/m);
    for (let i = 1; i <= 5; i++) {
      const text = execFileSync("pdftotext", ["-f", String(i), "-l", String(i), file, "-"], {
        encoding: "utf8",
      });
      expect(text).toContain(`page ${i}`);
      expect(text).toContain("shared line");
    }
  });
});
