import { execFileSync } from "node:child_process";

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
