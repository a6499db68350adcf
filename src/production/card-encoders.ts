import type { CardTemplate } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import type { CardEncoder } from "./card-encoder.js";
import { createSoftwareEncoder, type SoftwareEncoderOptions } from "./software-encoder.js";

export type EncoderKind = CardTemplate["encoder"];

/**
 * The encoder a template's configuration names, where only software tokens can be written (a
 * production worker thread). A chip card is never silently made a software token.
 *
 * @throws TesseraError `production.options_invalid` for any other encoder.
 */
export function createCardEncoder(kind: EncoderKind, software: SoftwareEncoderOptions): CardEncoder {
  if (kind === "software") return createSoftwareEncoder(software);
  throw new TesseraError(
    "production.options_invalid",
    `The encoder "${kind}" writes chip cards, which are personalised by a production station with the card readers, not here.`,
  );
}
