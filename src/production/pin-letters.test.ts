import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { popplerWords } from "../test-support/poppler.js";
import { hasTool } from "../test-support/tools.js";
import { mm } from "./pdf-output.js";
import { createPinLetterWriter, type PinLetter, type PinLetterOptions } from "./pin-letters.js";

const pdftotext = (file: string, ...args: string[]) =>
  execFileSync("pdftotext", ["-layout", ...args, file, "-"], { encoding: "utf8" });
const pdfinfo = (file: string) => execFileSync("pdfinfo", [file], { encoding: "utf8" });

const letters: PinLetter[] = [
  {
    cardNumber: "700100000017",
    holder: {
      firstName: "Ada",
      lastName: "Lovelace",
      organization: "Analytical Engines Ltd",
      addressLines: ["Research & Development", "12 St James's Square", "London SW1Y 4JH", "United Kingdom"],
    },
    pin: "042917",
    puk: "73019284",
    templateName: "Employee ID",
    batchId: "batch-42",
  },
  {
    cardNumber: "700100000025",
    holder: { firstName: "Zoë", lastName: "Øster", addressLines: ["Hovedgaden 1", "2800 Kongens Lyngby"] },
    pin: "918273",
    puk: "00112233",
    templateName: "Employee ID",
  },
];

describe.runIf(hasTool("pdftotext", "poppler-utils"))("createPinLetterWriter", () => {
  let dir: string;

  async function writeLetters(name: string, options: PinLetterOptions, items: readonly PinLetter[]) {
    const file = path.join(dir, name);
    const writer = createPinLetterWriter(createWriteStream(file), options);
    for (const letter of items) await writer.add(letter);
    expect(writer.pages).toBe(items.length);
    await writer.finish();
    return file;
  }

  const options = {
    organizationName: "Contoso ID Office",
    senderAddress: ["Main Street 1", "1000 Springfield"],
    date: new Date("2026-03-14T10:00:00Z"),
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-pin-letters-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes one A4 letter per card with the card number, the PIN and the PUK", async () => {
    const file = await writeLetters("with-puk.pdf", { ...options, pukPrinted: true }, letters);
    const info = pdfinfo(file);
    expect(info).toMatch(/^Pages:\s+2$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);

    letters.forEach((letter, index) => {
      const page = pdftotext(file, "-f", String(index + 1), "-l", String(index + 1));
      expect(page).toContain(`PIN: ${letter.pin}`);
      expect(page).toContain(`PUK: ${letter.puk}`);
      expect(page).toContain(letter.cardNumber);
      expect(page).toContain(`${letter.holder.firstName} ${letter.holder.lastName}`);
      for (const line of letter.holder.addressLines) expect(page).toContain(line);
      expect(page).toContain("2026-03-14");
      expect(page).toContain("Contoso ID Office · Main Street 1 · 1000 Springfield");
    });
    // Each letter has only its own secrets.
    expect(pdftotext(file, "-f", "1", "-l", "1")).not.toContain(letters[1]!.pin);
  });

  it("leaves the PUK out unless it is to be printed", async () => {
    const file = await writeLetters("without-puk.pdf", { ...options, pukPrinted: false }, letters);
    const text = pdftotext(file);
    for (const letter of letters) {
      expect(text).toContain(`PIN: ${letter.pin}`);
      expect(text).not.toContain(letter.puk);
    }
    expect(text).not.toContain("PUK:");
    expect(text).not.toContain("PUK");
  });

  it("places the return line and the address in the window of a DIN C5/6 envelope", async () => {
    const file = await writeLetters("window.pdf", { ...options, pukPrinted: true }, letters);
    // DIN 5008 form B: the window field is 20–105 mm from the left and 45–90 mm from the top.
    const window = { left: mm(20), right: mm(105), top: mm(45), bottom: mm(90) };
    const words = popplerWords(file, 1);
    const addressWords = [
      "Contoso",
      "Springfield",
      "Ada",
      "Lovelace",
      "Analytical",
      "Development",
      "Square",
      "SW1Y",
      "Kingdom",
    ];
    // Everything in the left half between the letterhead and the subject belongs in the window.
    const block = words.filter((word) => word.yMin > mm(35) && word.yMax < mm(97) && word.xMin < mm(120));
    expect(block.map((word) => word.word)).toEqual(expect.arrayContaining(addressWords));
    for (const word of block) {
      expect(word.xMin, word.word).toBeGreaterThanOrEqual(window.left);
      expect(word.xMax, word.word).toBeLessThanOrEqual(window.right);
      expect(word.yMin, word.word).toBeGreaterThanOrEqual(window.top);
      expect(word.yMax, word.word).toBeLessThanOrEqual(window.bottom);
    }
    // The PIN is never in the window.
    const pin = words.find((word) => word.word === letters[0]!.pin)!;
    expect(pin.yMin).toBeGreaterThan(window.bottom);
  });

  it("refuses a letter it cannot print or mail, without a half page", async () => {
    const file = path.join(dir, "refusals.pdf");
    const writer = createPinLetterWriter(createWriteStream(file), { ...options, pukPrinted: true });
    const base = letters[0]!;
    await expect(writer.add({ ...base, puk: undefined })).rejects.toMatchObject({
      code: "production.puk_missing",
    });
    await expect(
      writer.add({ ...base, holder: { ...base.holder, addressLines: ["1", "2", "3", "4", "5"] } }),
    ).rejects.toMatchObject({ code: "production.address_invalid" });
    await expect(
      writer.add({
        ...base,
        holder: {
          ...base.holder,
          addressLines: ["Department of Very Long Names and Even Longer Street Addresses 12345"],
        },
      }),
    ).rejects.toMatchObject({ code: "production.address_invalid" });
    await expect(
      writer.add({ ...base, holder: { ...base.holder, lastName: "Łukasiewicz" } }),
    ).rejects.toMatchObject({ code: "production.text_unprintable" });
    await expect(writer.add({ ...base, pin: "" })).rejects.toMatchObject({
      code: "production.secret_invalid",
    });
    await expect(writer.add({ ...base, pin: "12 34" })).rejects.toMatchObject({
      code: "production.secret_invalid",
    });
    await expect(writer.add({ ...base, cardNumber: "7001-0001" })).rejects.toMatchObject({
      code: "production.card_number_invalid",
    });
    await writer.add(letters[1]!);
    await writer.finish();
    await expect(writer.add(base)).rejects.toMatchObject({ code: "production.writer_finished" });
    expect(pdfinfo(file)).toMatch(/^Pages:\s+1$/m);
    expect(pdftotext(file)).toContain(`PIN: ${letters[1]!.pin}`);
  });
});
