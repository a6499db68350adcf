import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** What a PIN letter tells its holder, as a person reads it off the printed page. */
export interface LetterSecrets {
  readonly pin: string;
  readonly puk?: string;
}

/**
 * Each letter's card number and PIN (and PUK, when printed) in a PIN-letters PDF, read with
 * poppler's `pdftotext` as a mail-room check would: the text on the page, not Tessera's data.
 */
export function readPinLetters(pdf: Uint8Array): Map<string, LetterSecrets> {
  const folder = mkdtempSync(path.join(tmpdir(), "tessera-letters-"));
  try {
    const file = path.join(folder, "letters.pdf");
    writeFileSync(file, pdf);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    const letters = new Map<string, LetterSecrets>();
    for (const page of text.split("\f")) {
      const card = /Card number:?\s+(\d+)/i.exec(page)?.[1];
      const pin = /PIN:\s*(\d+)/.exec(page)?.[1];
      const puk = /PUK:\s*(\d+)/.exec(page)?.[1];
      if (card && pin) letters.set(card, { pin, ...(puk && { puk }) });
    }
    return letters;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
