import { z } from "zod";

/**
 * A PIN as a body carries it: digits only. Its length is checked against the card's own rules
 * (template and chip) once the card is known, so that the refusal can name the card.
 */
export const pinSchema = z
  .string()
  .max(64)
  .regex(/^\d+$/, { message: "must be digits only" })
  .describe("Digits; the card's template and chip decide how many");
