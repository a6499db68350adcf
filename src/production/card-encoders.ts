import type { CardTemplate } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import type { CardEncoder } from "./card-encoder.js";
import { createSoftwareEncoder, type SoftwareEncoderOptions } from "./software-encoder.js";

export type EncoderKind = CardTemplate["encoder"];

/** The encoders this Tessera can drive. A PKCS#11 card needs its own encoder, which is yet to come. */
export const availableEncoders: readonly EncoderKind[] = ["software"];

/**
 * Why cards of `template` cannot be produced here, as a sentence naming the template and its
 * encoder; undefined when they can. Checked at start, so a template configured for an encoder
 * this Tessera lacks is refused there instead of producing something else.
 */
export function encoderRefusal(template: Pick<CardTemplate, "name" | "encoder">): string | undefined {
  if (availableEncoders.includes(template.encoder)) return undefined;
  return `The card template "${template.name}" uses the encoder "${template.encoder}", which this Tessera does not offer yet (available: ${availableEncoders.join(", ")}). Configure the template with an available encoder, or remove it.`;
}

/**
 * The encoder a template's configuration names.
 *
 * @throws TesseraError `production.options_invalid` for an encoder that is not available.
 */
export function createCardEncoder(kind: EncoderKind, software: SoftwareEncoderOptions): CardEncoder {
  switch (kind) {
    case "software":
      return createSoftwareEncoder(software);
    default:
      throw new TesseraError(
        "production.options_invalid",
        `The encoder "${kind}" is not available (available: ${availableEncoders.join(", ")}).`,
      );
  }
}
