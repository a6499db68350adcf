import { execFileSync } from "node:child_process";
import { expect } from "vitest";

/** A word poppler reads on a PDF page, with its box in points from the top-left corner. */
export interface PopplerWord {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
  readonly word: string;
}

const entities: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
};

/**
 * The words `pdftotext -bbox` reads on page `page` of `file` (every page when left out): poppler,
 * not Tessera, is the judge of what a PDF Tessera wrote shows and where.
 */
export function popplerWords(file: string, page?: number): PopplerWord[] {
  const pages = page === undefined ? [] : ["-f", String(page), "-l", String(page)];
  const html = execFileSync("pdftotext", ["-bbox", ...pages, file, "-"], { encoding: "utf8" });
  return [
    ...html.matchAll(
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
    ),
  ].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
    word: m[5]!.replace(/&(amp|lt|gt|quot|apos);/g, (entity) => entities[entity]!),
  }));
}

/** A line of text as a card face's SVG sets it: its words, its left edge and its baseline. */
export interface SetLine {
  readonly text: string;
  readonly x: number;
  readonly baseline: number;
}

/**
 * Checks that `lines` set exactly the words poppler reads in the print file, each on a line whose
 * baseline crosses the word's box and which starts at or before the word: the preview and the
 * print file show the same text in the same places.
 */
export function expectWordsWherePopplerReadsThem(lines: readonly SetLine[], words: readonly PopplerWord[]) {
  expect(lines.flatMap((line) => line.text.split(" ")).sort()).toEqual(words.map((w) => w.word).sort());
  return words.map((word) => {
    const line = lines.find((l) => l.text.split(" ").includes(word.word) && l.baseline > word.yMin);
    expect(line, word.word).toBeDefined();
    expect(line!.baseline).toBeLessThan(word.yMax);
    expect(line!.x).toBeLessThanOrEqual(word.xMin + 0.01);
    return { word, line: line! };
  });
}
