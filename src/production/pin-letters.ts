import type { Writable } from "node:stream";
import { TesseraError } from "../domain/errors.js";
import { drawLine, fitText, wrapText } from "./fit-text.js";
import { createPageWriter, mm, openPdfOutput, type PageWriter } from "./pdf-output.js";
import { cardNumberText, optionalPrintableText, printableText } from "./printable-text.js";

/**
 * The PIN letters of a batch: one A4 letter per card, for the mail room.
 *
 * The page follows DIN 5008 form B so it can be folded into a DIN C5/6 (or DL) window envelope:
 * the return line and the address sit in the window field 20 mm from the left and 45 mm from
 * the top (85 × 45 mm), the information block at 125 mm, fold marks at 105 and 210 mm and a
 * punch mark at 148.5 mm. `PIN: <digits>` (and `PUK: <digits>` when the deployment prints the
 * PUK) are single runs of text, so `pdftotext` and a mail-room check read them exactly. A letter
 * that cannot be printed is refused before its page is started.
 */
export type PinLetterWriter = PageWriter<PinLetter>;

export interface PinLetterOptions {
  /** The issuing organization, in the letterhead, the return line and the text. */
  readonly organizationName: string;
  /** Whether the PUK is printed under the PIN (process option "PUK delivery: print"). */
  readonly pukPrinted: boolean;
  /** The issuer's postal address for the return line, e.g. ["Main Street 1", "1000 Town"]. */
  readonly senderAddress?: readonly string[];
  /** The date printed on every letter; today when left out. Printed as `YYYY-MM-DD` (UTC). */
  readonly date?: Date;
  /** The PDF's document title. */
  readonly documentTitle?: string;
}

export interface PinLetter {
  readonly cardNumber: string;
  readonly holder: {
    readonly firstName: string;
    readonly lastName: string;
    readonly organization?: string | undefined;
    /** Postal address lines below the name (and organization); six lines fit the window in all. */
    readonly addressLines: readonly string[];
  };
  readonly pin: string;
  /** Printed only when the writer was created with `pukPrinted`; required then. */
  readonly puk?: string | undefined;
  readonly templateName: string;
  readonly batchId?: string | undefined;
}

const a4: [number, number] = [595.28, 841.89];
const left = mm(25);
const textWidth = mm(210 - 25 - 20);
const windowField = { x: mm(20), y: mm(45), width: mm(85), height: mm(45) };
// DIN 5008 form B: a 17.7 mm zone for the return line and notes, then 27.3 mm for the address.
const returnLineY = windowField.y + mm(12);
const addressY = windowField.y + mm(17.7);
const addressLineHeight = 12;
const maxAddressLines = 6;
const addressWidth = windowField.width - mm(10);
const addressMinFontSize = 8;
const infoX = mm(125);
const bodySize = 10;
const bodyLineHeight = 14;
const ink = "#1a1a1a";
const muted = "#5b6470";

/** Creates a writer of PIN letters streaming into `output`. */
export function createPinLetterWriter(output: Writable, options: PinLetterOptions): PinLetterWriter {
  const organizationName = printableText(options.organizationName, "organization name");
  if (organizationName === "") {
    throw new TesseraError("production.options_invalid", "The organization name must not be empty.");
  }
  const senderLine = [
    organizationName,
    ...(options.senderAddress ?? []).map((line) => printableText(line, "sender address")),
  ]
    .filter((part) => part !== "")
    .join(" · ");
  const date = options.date ?? new Date();
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TesseraError("production.options_invalid", "The letter date is not a valid date.");
  }
  const pdf = openPdfOutput(output, {
    size: a4,
    margin: 0,
    info: {
      Title: options.documentTitle ?? "PIN letters",
      Author: organizationName,
      Creator: "Tessera",
      Producer: "Tessera (pdfkit)",
    },
  });
  const frame = createLetterFrame(pdf.doc, organizationName, senderLine, date.toISOString().slice(0, 10));
  return createPageWriter(pdf, { size: a4, margin: 0 }, (letter: PinLetter) => {
    const prepared = prepareLetter(pdf.doc, letter, options.pukPrinted);
    return () => drawLetter(pdf.doc, prepared, frame);
  });
}

interface PreparedLetter {
  readonly cardNumber: string;
  readonly name: string;
  readonly address: readonly string[];
  readonly pin: string;
  readonly puk: string | undefined;
  readonly templateName: string;
  readonly batchId: string | undefined;
}

/** Checks everything that could fail before the page is started, so no letter is half made. */
function prepareLetter(doc: PDFKit.PDFDocument, letter: PinLetter, pukPrinted: boolean): PreparedLetter {
  const secret = (value: string | undefined, field: string) => {
    const text = printableText(value ?? "", field);
    if (text === "" || /\s/.test(text)) {
      throw new TesseraError(
        "production.secret_invalid",
        `The ${field} must be one word of printable characters.`,
      );
    }
    return text;
  };
  if (pukPrinted && !letter.puk) throw new TesseraError("production.puk_missing");
  const name = printableText(`${letter.holder.firstName} ${letter.holder.lastName}`, "holder's name");
  const organization = optionalPrintableText(letter.holder.organization, "holder's organization");
  const address = [
    name,
    ...(organization ? [organization] : []),
    ...letter.holder.addressLines.map((line) => printableText(line, "address")).filter((line) => line !== ""),
  ];
  if (address.length > maxAddressLines) {
    throw new TesseraError(
      "production.address_invalid",
      `The address has ${address.length} lines with the name; at most ${maxAddressLines} fit the envelope window.`,
    );
  }
  for (const line of address) {
    // A shortened address line could send the PIN astray: refuse it instead.
    if (fitText(doc, line, "Helvetica", 10, addressMinFontSize, addressWidth) !== line) {
      throw new TesseraError(
        "production.address_invalid",
        `The address line "${line}" is too long for the window.`,
      );
    }
  }
  return {
    cardNumber: cardNumberText(letter.cardNumber),
    name,
    address,
    pin: secret(letter.pin, "PIN"),
    puk: pukPrinted ? secret(letter.puk, "PUK") : undefined,
    templateName: printableText(letter.templateName, "template name"),
    batchId: optionalPrintableText(letter.batchId, "batch id"),
  };
}

/** What is the same on every letter of a writer, the fixed paragraphs wrapped once. */
interface LetterFrame {
  readonly organizationName: string;
  readonly senderLine: string;
  readonly date: string;
  readonly paragraphs: { readonly secrecy: string[]; readonly puk: string[]; readonly contact: string[] };
}

function createLetterFrame(
  doc: PDFKit.PDFDocument,
  organizationName: string,
  senderLine: string,
  date: string,
): LetterFrame {
  const wrap = (text: string) => wrapText(doc, text, "Helvetica", bodySize, textWidth);
  return {
    organizationName,
    senderLine,
    date,
    paragraphs: {
      secrecy: wrap(
        "Keep the PIN secret: learn it by heart and destroy this letter. Never write the PIN on the card " +
          `or keep it with the card. Nobody from ${organizationName} will ever ask you for your PIN.`,
      ),
      puk: wrap(
        "The PUK (personal unblocking key) unblocks the card when the PIN has been entered wrongly too often. " +
          "Keep it in a safe place, apart from the card.",
      ),
      contact: wrap(`If you did not request this card, please contact ${organizationName} at once.`),
    },
  };
}

function drawLetter(doc: PDFKit.PDFDocument, letter: PreparedLetter, sender: LetterFrame): void {
  // Fold marks (DIN 5008 form B) and the punch mark, in the left margin.
  doc.lineWidth(0.5).strokeColor("#9aa1ab");
  for (const y of [mm(105), mm(210)]) doc.moveTo(mm(4), y).lineTo(mm(9), y);
  doc.moveTo(mm(4), mm(148.5)).lineTo(mm(11), mm(148.5)).stroke();

  const letterhead = fitText(doc, sender.organizationName, "Helvetica-Bold", 15, 10, textWidth);
  doc.fillColor(ink);
  drawLine(doc, letterhead, left, mm(18));
  doc
    .moveTo(left, mm(28))
    .lineTo(left + textWidth, mm(28))
    .stroke();

  // The return line shows through the window above the address, underlined as the norm shows it.
  const returnLine = fitText(doc, sender.senderLine, "Helvetica", 7, 5.5, addressWidth);
  doc.fillColor(muted);
  drawLine(doc, returnLine, left, returnLineY, { underline: true });

  doc.fillColor(ink);
  letter.address.forEach((line, index) => {
    drawLine(
      doc,
      fitText(doc, line, "Helvetica", 10, addressMinFontSize, addressWidth),
      left,
      addressY + index * addressLineHeight,
    );
  });

  const info: [string, string][] = [
    ["Date", sender.date],
    ["Card number", letter.cardNumber],
    ["Card", letter.templateName],
    ...(letter.batchId ? ([["Batch", letter.batchId]] as [string, string][]) : []),
  ];
  info.forEach(([label, value], index) => {
    const y = windowField.y + mm(5) + index * 12;
    doc.font("Helvetica", 8).fillColor(muted);
    drawLine(doc, label, infoX, y);
    doc.fillColor(ink);
    drawLine(doc, fitText(doc, value, "Helvetica", 9, 6, mm(45)), infoX + mm(22), y - 0.5);
  });

  let y = mm(100);
  doc.font("Helvetica-Bold", 12).fillColor(ink);
  drawLine(doc, "Your PIN for your new card", left, y);
  y += 26;
  const paragraph = (lines: readonly string[]) => {
    doc.font("Helvetica", bodySize).fillColor(ink);
    for (const line of lines) {
      drawLine(doc, line, left, y);
      y += bodyLineHeight;
    }
    y += 8;
  };
  paragraph([`Dear ${letter.name},`]);
  paragraph(
    wrapText(
      doc,
      `your ${letter.templateName} card with the card number ${letter.cardNumber} has been produced and ` +
        "reaches you separately. The personal identification number (PIN) below protects the keys on the card; " +
        "you will be asked for it when you use the card.",
      "Helvetica",
      bodySize,
      textWidth,
    ),
  );

  // The secrets, each one run of text (`PIN: 123456`) in a box that stands out.
  const boxHeight = letter.puk ? 58 : 36;
  doc
    .roundedRect(left, y + 4, mm(90), boxHeight, 4)
    .lineWidth(1)
    .strokeColor(ink)
    .stroke();
  doc.font("Helvetica-Bold", 16).fillColor(ink);
  drawLine(doc, `PIN: ${letter.pin}`, left + 14, y + 15);
  if (letter.puk) drawLine(doc, `PUK: ${letter.puk}`, left + 14, y + 37);
  y += boxHeight + 22;

  paragraph(sender.paragraphs.secrecy);
  if (letter.puk) paragraph(sender.paragraphs.puk);
  paragraph(sender.paragraphs.contact);

  const footer = [
    `Card ${letter.cardNumber}`,
    letter.templateName,
    ...(letter.batchId ? [`Batch ${letter.batchId}`] : []),
  ];
  doc.font("Helvetica", 7).fillColor(muted);
  drawLine(doc, footer.join(" · "), left, mm(285));
}
