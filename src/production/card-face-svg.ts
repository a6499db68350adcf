import { PassThrough } from "node:stream";
import { type CardFieldValues, printedNameOf } from "../domain/card-fields.js";
import type { CardFace, CardLayout } from "./card-face.js";
import { pdfPageToSvg } from "./page-svg.js";
import { createPrintFileWriter } from "./print-file.js";

/** The holder's fields a card face prints, as a user has them. */
export type CardFaceHolder = Pick<
  CardFieldValues,
  "firstName" | "lastName" | "nameOnCard" | "organization" | "organizationalUnit" | "title"
>;

/**
 * What the print file prints for a card of this holder: the name on card where there is one
 * (split as `printedNameOf` splits it for production), title, organization and unit.
 */
export function cardFaceOfHolder(
  holder: CardFaceHolder,
  card: { readonly cardNumber: string; readonly expiry: Date; readonly layout: CardLayout },
  photo?: Buffer,
): CardFace {
  return {
    cardNumber: card.cardNumber,
    ...printedNameOf(holder),
    organization: holder.organization ?? undefined,
    organizationalUnit: holder.organizationalUnit ?? undefined,
    title: holder.title ?? undefined,
    expiry: card.expiry,
    photo,
    layout: card.layout,
  };
}

/**
 * The face of one card as SVG, drawn by the print file's own writer into a one-page PDF and
 * read back from it ({@link pdfPageToSvg}): what the operator previews is what the card printer
 * gets, fitting and all.
 *
 * @throws TesseraError the print file's own refusal (`production.text_unprintable`,
 * `production.photo_invalid`) when the card could not be printed as it stands.
 */
export async function cardFaceSvg(face: CardFace, layout: CardLayout): Promise<string> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  const writer = createPrintFileWriter(output, { layout, documentTitle: "Card face" });
  await writer.add(face);
  await writer.finish();
  return pdfPageToSvg(Buffer.concat(chunks), 0, {
    title: `Card face of card ${face.cardNumber}, as the print file draws it`,
  });
}
