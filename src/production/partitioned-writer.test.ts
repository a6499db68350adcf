import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool } from "../test-support/tools.js";
import {
  createPartitionedPinLetters,
  createPartitionedPrintFile,
  createPartitionedWriter,
  partFileName,
} from "./partitioned-writer.js";

const pdfinfo = (file: string) => execFileSync("pdfinfo", [file], { encoding: "utf8" });
const pdftotext = (file: string) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
const cardNumber = (i: number) => `7001${String(i).padStart(8, "0")}`;

describe("partFileName", () => {
  it("numbers parts so they sort", () => {
    expect(partFileName(1)).toBe("part-0001.pdf");
    expect(partFileName(42)).toBe("part-0042.pdf");
    expect(partFileName(3, "zip")).toBe("part-0003.zip");
  });
});

describe("createPartitionedWriter", () => {
  it("opens a part only for a page, and counts only pages that were added", async () => {
    const opened: number[] = [];
    const finished: number[] = [];
    const writer = createPartitionedWriter<number>({
      pagesPerPart: 2,
      openPart: (partNumber) => {
        opened.push(partNumber);
        return createWriteStream("/dev/null");
      },
      createPartWriter: (_output, partNumber) => ({
        add: async (item) => {
          if (item < 0) throw new Error("refused");
        },
        finish: async () => {
          finished.push(partNumber);
        },
      }),
    });
    await writer.add(1);
    await expect(writer.add(-1)).rejects.toThrow("refused");
    await writer.add(2);
    await writer.add(3);
    expect(opened).toEqual([1, 2]);
    expect(finished).toEqual([1]);
    expect(await writer.finish()).toEqual({ parts: 2, pages: 3 });
    expect(finished).toEqual([1, 2]);
    await expect(writer.add(4)).rejects.toMatchObject({ code: "production.writer_finished" });
  });

  it("writes no part at all for no pages", async () => {
    const writer = createPartitionedWriter<number>({
      pagesPerPart: 10,
      openPart: () => {
        throw new Error("no part should be opened");
      },
      createPartWriter: () => {
        throw new Error("no part should be opened");
      },
    });
    expect(await writer.finish()).toEqual({ parts: 0, pages: 0 });
  });

  it("refuses a part size that is not a positive integer", () => {
    for (const pagesPerPart of [0, -1, 1.5]) {
      expect(() =>
        createPartitionedWriter({
          pagesPerPart,
          openPart: () => createWriteStream("/dev/null"),
          createPartWriter: () => ({ add: async () => {}, finish: async () => {} }),
        }),
      ).toThrow(expect.objectContaining({ code: "production.options_invalid" }));
    }
  });
});

describe.runIf(hasTool("pdfinfo", "poppler-utils"))("partitioned print files and PIN letters", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-parts-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("splits 5 card faces into parts of 2, in order", async () => {
    const target = path.join(dir, "faces");
    execFileSync("mkdir", ["-p", target]);
    const writer = createPartitionedPrintFile({
      layout: { title: "EMPLOYEE ID", accentColor: "#1f4e79" },
      cardsPerPart: 2,
      openPart: (partNumber) => createWriteStream(path.join(target, partFileName(partNumber))),
    });
    for (let i = 1; i <= 5; i++) {
      await writer.add({
        cardNumber: cardNumber(i),
        firstName: "Ada",
        lastName: `Lovelace ${i}`,
        expiry: new Date(),
      });
    }
    expect(await writer.finish()).toEqual({ parts: 3, pages: 5 });
    expect(readdirSync(target).sort()).toEqual(["part-0001.pdf", "part-0002.pdf", "part-0003.pdf"]);
    const pages = ["part-0001.pdf", "part-0002.pdf", "part-0003.pdf"].map((name) => path.join(target, name));
    expect(pages.map((file) => /^Pages:\s+(\d+)$/m.exec(pdfinfo(file))?.[1])).toEqual(["2", "2", "1"]);
    expect(pdftotext(pages[1]!)).toContain(cardNumber(3));
    expect(pdftotext(pages[1]!)).toContain(cardNumber(4));
    expect(pdftotext(pages[2]!)).toContain(cardNumber(5));
    expect(pdfinfo(pages[2]!)).toMatch(/^Title:\s+Card faces — part 3$/m);
  });

  it("splits PIN letters the same way, with one date for the batch", async () => {
    const target = path.join(dir, "letters");
    execFileSync("mkdir", ["-p", target]);
    const writer = createPartitionedPinLetters({
      organizationName: "Contoso ID Office",
      pukPrinted: false,
      lettersPerPart: 3,
      openPart: (partNumber) => createWriteStream(path.join(target, partFileName(partNumber))),
    });
    for (let i = 1; i <= 4; i++) {
      await writer.add({
        cardNumber: cardNumber(i),
        holder: { firstName: "Ada", lastName: `Lovelace ${i}`, addressLines: [] },
        pin: `00000${i}`,
        templateName: "Employee ID",
      });
    }
    expect(await writer.finish()).toEqual({ parts: 2, pages: 4 });
    const second = path.join(target, "part-0002.pdf");
    expect(pdfinfo(second)).toMatch(/^Pages:\s+1$/m);
    expect(pdftotext(second)).toContain("PIN: 000004");
  });
});
