import type { Writable } from "node:stream";
import { type CardFieldProblem, type CardFieldValues, printedNameOf } from "../domain/card-fields.js";
import { TesseraError } from "../domain/errors.js";
import { type FittedLine, fitText, wrapText } from "./fit-text.js";
import { PageContent } from "./page-content.js";
import {
  createPageWriter,
  mm,
  openPdfOutput,
  type PagePainter,
  type PageWriter,
  type PdfOutput,
} from "./pdf-output.js";
import { cardNumberText, optionalPrintableText, printableText } from "./printable-text.js";

/**
 * The PIN letters of a batch: one A4 letter per card, for the mail room.
 *
 * The page follows DIN 5008 form B so it can be folded into a DIN C5/6 (or DL) window envelope:
 * the return line and the address sit in the window field 20 mm from the left and 45 mm from
 * the top (85 × 45 mm), the information block at 125 mm, fold marks at 105 and 210 mm and a
 * punch mark at 148.5 mm. `PIN: <digits>` (and `PUK: <digits>` when the deployment prints the
 * PUK) are single runs of text, so `pdftotext` and a mail-room check read them exactly. A letter
 * that cannot be printed is refused before its page is started. What is the same on every letter
 * of a file (letterhead, marks, return line, date, the fixed paragraphs) is drawn once as Form
 * XObjects and placed on each page.
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
  /** The holder's one-time code and the page to use it on, when the office offers it. */
  readonly activation?: { readonly code: string; readonly url: string } | undefined;
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

/** A line of the letter's address, with the user's field it comes from (as the API names it). */
interface AddressLine {
  readonly field: string;
  readonly text: string;
}

/**
 * What of the address does not fit the envelope window: more lines than it holds, or a line
 * wider than it at the smallest size the letter prints. A shortened address line could send
 * the PIN astray, so such a letter is refused, never shortened.
 */
function addressWindowProblems(lines: readonly AddressLine[]): CardFieldProblem[] {
  const problems: CardFieldProblem[] = [];
  if (lines.length > maxAddressLines)
    problems.push({
      path: "address",
      message: `the PIN letter's envelope window holds ${maxAddressLines} lines with the name and organization, and this address makes ${lines.length}: join or leave out lines`,
    });
  for (const line of lines)
    if (fitText(line.text, "Helvetica", 10, addressMinFontSize, addressWidth).text !== line.text)
      problems.push({
        path: line.field,
        message: `"${line.text}" is too long for a line of the PIN letter's envelope window: shorten it`,
      });
  return problems;
}

/**
 * The user's fields the PIN letter's address cannot hold (checked when a person is registered,
 * imported or edited, by the same rule the letter is printed with): the name as printed, the
 * organization and the address lines.
 */
export function letterAddressProblems(user: CardFieldValues): CardFieldProblem[] {
  const name = printedNameOf(user);
  const lines: AddressLine[] = [
    // A name too wide is mended with a shorter name on card, as one too long for the certificate.
    { field: "nameOnCard", text: `${name.firstName} ${name.lastName}`.trim() },
    ...(user.organization ? [{ field: "organization", text: user.organization }] : []),
    ...(user.address ?? [])
      .map((text, i) => ({ field: `address.${i}`, text }))
      .filter((line) => line.text !== ""),
  ];
  return addressWindowProblems(lines);
}

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
    info: {
      Title: options.documentTitle ?? "PIN letters",
      Author: organizationName,
      Creator: "Tessera",
      Producer: "Tessera",
    },
  });
  const frame = createLetterFrame(pdf, organizationName, senderLine, date.toISOString().slice(0, 10));
  return createPageWriter(pdf, a4, new LetterPages(frame, options.pukPrinted));
}

// A class, not closures made for each file: see `pdf-output.ts`'s `PdfPageWriter`.
class LetterPages implements PagePainter<PinLetter, PreparedLetter> {
  constructor(
    private readonly frame: LetterFrame,
    private readonly pukPrinted: boolean,
  ) {}

  prepare(letter: PinLetter): PreparedLetter {
    return prepareLetter(letter, this.pukPrinted);
  }

  paint(page: PageContent, letter: PreparedLetter): void {
    drawLetter(page, letter, this.frame);
  }
}

interface PreparedLetter {
  readonly cardNumber: string;
  readonly name: string;
  readonly address: readonly string[];
  readonly pin: string;
  readonly puk: string | undefined;
  readonly activation: { readonly code: string; readonly url: string } | undefined;
  readonly templateName: string;
  readonly batchId: string | undefined;
}

/** A PIN or a PUK as printed: one word of printable characters. */
function secret(value: string | undefined, field: string): string {
  const text = printableText(value ?? "", field);
  if (text === "" || /\s/.test(text)) {
    throw new TesseraError(
      "production.secret_invalid",
      `The ${field} must be one word of printable characters.`,
    );
  }
  return text;
}

/** Checks everything that could fail before the page is started, so no letter is half made. */
function prepareLetter(letter: PinLetter, pukPrinted: boolean): PreparedLetter {
  if (pukPrinted && !letter.puk) throw new TesseraError("production.puk_missing");
  const name = printableText(`${letter.holder.firstName} ${letter.holder.lastName}`, "holder's name");
  const organization = optionalPrintableText(letter.holder.organization, "holder's organization");
  const lines: AddressLine[] = [
    { field: "name", text: name },
    ...(organization ? [{ field: "organization", text: organization }] : []),
    ...letter.holder.addressLines
      .map((line, i) => ({ field: `address.${i}`, text: printableText(line, "address") }))
      .filter((line) => line.text !== ""),
  ];
  const problem = addressWindowProblems(lines)[0];
  if (problem) {
    const message = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
    throw new TesseraError("production.address_invalid", `${message}.`, { field: problem.path });
  }
  const address = lines.map((line) => line.text);
  return {
    cardNumber: cardNumberText(letter.cardNumber),
    name,
    address,
    pin: secret(letter.pin, "PIN"),
    puk: pukPrinted ? secret(letter.puk, "PUK") : undefined,
    templateName: printableText(letter.templateName, "template name"),
    batchId: optionalPrintableText(letter.batchId, "batch id"),
    activation: letter.activation && {
      code: printableText(letter.activation.code, "activation code"),
      url: printableText(letter.activation.url, "activation page"),
    },
  };
}

/** What is the same on every letter of a writer, as Form XObjects: the page's frame and the fixed paragraphs. */
interface LetterFrame {
  /** Letterhead, marks, return line, date, the information block's labels and the heading. */
  readonly frame: number;
  /** Each fixed paragraph (lines from its top at 0) and its height with the space after it. */
  readonly paragraphs: Readonly<Record<"secrecy" | "puk" | "contact", { id: number; height: number }>>;
}

/** Top of the information block's row `index`. */
const infoRowY = (index: number) => windowField.y + mm(5) + index * 12;

function createLetterFrame(
  pdf: PdfOutput,
  organizationName: string,
  senderLine: string,
  date: string,
): LetterFrame {
  const page = new PageContent(a4, true);
  // Fold marks (DIN 5008 form B) and the punch mark, in the left margin.
  page.lineWidth(0.5).strokeColor("#9aa1ab");
  for (const y of [mm(105), mm(210)]) page.moveTo(mm(4), y).lineTo(mm(9), y);
  page.moveTo(mm(4), mm(148.5)).lineTo(mm(11), mm(148.5)).stroke();

  page.fillColor(ink);
  drawLine(page, fitText(organizationName, "Helvetica-Bold", 15, 10, textWidth), left, mm(18));
  page
    .moveTo(left, mm(28))
    .lineTo(left + textWidth, mm(28))
    .stroke();

  // The return line shows through the window above the address, underlined as the norm shows it.
  const returnLine = fitText(senderLine, "Helvetica", 7, 5.5, addressWidth);
  page.fillColor(muted);
  page.text(returnLine.text, returnLine.font, returnLine.size, left, returnLineY, {
    underline: { color: muted },
  });

  ["Date", "Card number", "Card"].forEach((label, index) => {
    page.fillColor(muted);
    page.text(label, "Helvetica", 8, infoX, infoRowY(index));
  });
  page.fillColor(ink);
  drawLine(page, fitText(date, "Helvetica", 9, 6, mm(45)), infoX + mm(22), infoRowY(0) - 0.5);

  page.fillColor(ink);
  page.text("Your PIN for your new card", "Helvetica-Bold", 12, left, mm(100));

  const paragraph = (text: string) => {
    const lines = wrapText(text, "Helvetica", bodySize, textWidth);
    const content = new PageContent(a4, true).fillColor(ink);
    lines.forEach((line, index) => {
      content.text(line, "Helvetica", bodySize, left, index * bodyLineHeight);
    });
    return { id: pdf.addForm(content), height: lines.length * bodyLineHeight + 8 };
  };
  return {
    frame: pdf.addForm(page),
    paragraphs: {
      secrecy: paragraph(
        "Keep the PIN secret: learn it by heart and destroy this letter. Never write the PIN on the card " +
          `or keep it with the card. Nobody from ${organizationName} will ever ask you for your PIN.`,
      ),
      puk: paragraph(
        "The PUK (personal unblocking key) unblocks the card when the PIN has been entered wrongly too often. " +
          "Keep it in a safe place, apart from the card.",
      ),
      contact: paragraph(`If you did not request this card, please contact ${organizationName} at once.`),
    },
  };
}

const drawLine = (page: PageContent, line: FittedLine, x: number, y: number) =>
  page.text(line.text, line.font, line.size, x, y);

function drawLetter(page: PageContent, letter: PreparedLetter, frame: LetterFrame): void {
  page.draw("Frame", frame.frame, [1, 0, 0, 1, 0, 0]);

  page.fillColor(ink);
  for (let index = 0; index < letter.address.length; index++) {
    const line = fitText(letter.address[index]!, "Helvetica", 10, addressMinFontSize, addressWidth);
    drawLine(page, line, left, addressY + index * addressLineHeight);
  }

  // The information block: the date and the labels are in the frame, the Batch label only when there is one.
  const values = [letter.cardNumber, letter.templateName, ...(letter.batchId ? [letter.batchId] : [])];
  if (letter.batchId) page.fillColor(muted).text("Batch", "Helvetica", 8, infoX, infoRowY(3));
  page.fillColor(ink);
  for (let index = 0; index < values.length; index++)
    drawLine(
      page,
      fitText(values[index]!, "Helvetica", 9, 6, mm(45)),
      infoX + mm(22),
      infoRowY(index + 1) - 0.5,
    );

  let y = mm(100) + 26;
  y = drawParagraph(page, [`Dear ${letter.name},`], y);
  y = drawParagraph(
    page,
    wrapText(
      `your ${letter.templateName} card with the card number ${letter.cardNumber} has been produced and ` +
        "reaches you separately. The personal identification number (PIN) below protects the keys on the card; " +
        "you will be asked for it when you use the card.",
      "Helvetica",
      bodySize,
      textWidth,
    ),
    y,
  );

  // The secrets, each one run of text (`PIN: 123456`) in a box that stands out.
  const boxHeight = letter.puk ? 58 : 36;
  page
    .save()
    .lineWidth(1)
    .strokeColor(ink)
    .roundedRect(left, y + 4, mm(90), boxHeight, 4)
    .stroke()
    .restore();
  page.text(`PIN: ${letter.pin}`, "Helvetica-Bold", 16, left + 14, y + 15);
  if (letter.puk) page.text(`PUK: ${letter.puk}`, "Helvetica-Bold", 16, left + 14, y + 37);
  y += boxHeight + 22;

  // Holders who activate their own card: the page and the one-time code, each one run of text.
  if (letter.activation) {
    y = drawParagraph(
      page,
      wrapText(
        "When the card has reached you, activate it yourself: open the page below and type the card number " +
          "and this one-time activation code.",
        "Helvetica",
        bodySize,
        textWidth,
      ),
      y,
    );
    drawLine(page, fitText(letter.activation.url, "Helvetica", 10, 6, textWidth), left, y - 4);
    page.text(`Activation code: ${letter.activation.code}`, "Helvetica-Bold", 13, left, y + 12);
    y += 36;
  }

  for (const name of letter.puk ? withPuk : withoutPuk) {
    const { id, height } = frame.paragraphs[name];
    page.draw(`P${name}`, id, [1, 0, 0, 1, 0, y]);
    y += height;
  }

  const footer = [
    `Card ${letter.cardNumber}`,
    letter.templateName,
    ...(letter.batchId ? [`Batch ${letter.batchId}`] : []),
  ];
  page.fillColor(muted).text(footer.join(" · "), "Helvetica", 7, left, mm(285));
}

/** The frame's paragraphs below the secrets, in order: the PUK's only when the letter prints one. */
const withPuk: readonly (keyof LetterFrame["paragraphs"])[] = ["secrecy", "puk", "contact"];
const withoutPuk: readonly (keyof LetterFrame["paragraphs"])[] = ["secrecy", "contact"];

/** Body text lines from `y` down; answers where the next block begins. */
function drawParagraph(page: PageContent, lines: readonly string[], y: number): number {
  let at = y;
  for (const line of lines) {
    page.text(line, "Helvetica", bodySize, left, at);
    at += bodyLineHeight;
  }
  return at + 8;
}
