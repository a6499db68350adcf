import { z } from "zod";
import type { Card } from "../domain/card.js";
import { cardStates } from "../domain/card-states.js";
import { certificateStates } from "../domain/certificate-states.js";
import { processesAllowedInState } from "../domain/process-catalog.js";

/**
 * Schemas of the objects processes answer with. Response schemas are plain (stripping)
 * objects: a field not declared here never reaches a client, so no secret can leak by accident.
 */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .optional()
    .transform((v) => (v === "" ? undefined : v));

/** X.520 upper bounds (RFC 5280 Appendix A): they end up in certificate subjects. */
export const userFieldsSchema = z.strictObject({
  firstName: z.string().trim().min(1, "required").max(64, "at most 64 characters"),
  lastName: z.string().trim().min(1, "required").max(64, "at most 64 characters"),
  email: z.string().trim().max(255).pipe(z.email("not an e-mail address")),
  identifier: z
    .string()
    .trim()
    .min(1, "required")
    .max(64, "at most 64 characters")
    // It becomes the certificate subject's serialNumber, a PrintableString (X.520).
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9 '()+,\-./:=?]*$/,
      "letters A-Z, digits, spaces and ' ( ) + , - . / : = ? only",
    ),
  organizationalUnit: optionalText(64),
  organization: optionalText(64),
  title: optionalText(64),
  /** User principal name for Windows smart-card logon (goes into the certificate's subjectAltName). */
  upn: z
    .string()
    .trim()
    .max(255)
    .regex(/^[^@\s]+@[^@\s]+$/, "not a user principal name (name@domain)")
    .optional(),
  /**
   * Windows security identifier of the user's account, for strong certificate mapping on domain
   * controllers in full enforcement: `S-1-5-21-` then the domain's three sub-authorities and the
   * account's RID, each below 2^32. Lower-case `s-` is taken and written upper-case, and numbers
   * without leading zeros; empty is none.
   */
  sid: z
    .string()
    .trim()
    .transform((sid) => (sid === "" ? undefined : sid.toUpperCase()))
    .pipe(
      z
        .string()
        .regex(/^S-1-5-21(-\d{1,10}){4}$/, "not an account SID (S-1-5-21-domain-domain-domain-RID)")
        .refine(
          (sid) => sid.split("-").every((part) => part === "S" || Number(part) <= 0xffffffff),
          "not an account SID: each number must be below 4294967296",
        )
        // S-1-5-21-01-… and S-1-5-21-1-… are one SID: stored one way, the uniqueness of SIDs holds.
        .transform((sid) => sid.replace(/-0+(?=\d)/g, "-"))
        // S-1-5-21-0-0-0 is no domain's: Windows names well-known groups under it (…-496, …-497).
        .refine(
          (sid) => !sid.startsWith("S-1-5-21-0-0-0-"),
          "not an account SID: S-1-5-21-0-0-0 is no domain",
        )
        .optional(),
    )
    .optional(),
  /**
   * Printed and certified instead of "first last" when that does not fit a card (longer than 64
   * characters, or letters the card's font cannot print); see `domain/card-fields.ts`.
   */
  nameOnCard: optionalText(64),
  /** Postal address lines for the PIN letter. */
  address: z.array(z.string().trim().min(1).max(80)).max(5).optional(),
});
export type UserFields = z.infer<typeof userFieldsSchema>;

export const userSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  organizationalUnit: z.string().nullable(),
  organization: z.string().nullable(),
  title: z.string().nullable(),
  upn: z.string().nullable(),
  sid: z.string().nullable().describe("Windows security identifier (S-1-5-21-…), for logon certificates"),
  nameOnCard: z
    .string()
    .nullable()
    .describe("Printed on the card and certified instead of the legal name; null: the legal name"),
  address: z.array(z.string()).nullable(),
  hasPhoto: z.boolean(),
  state: z.enum(["active", "inactive"]),
  version: z.int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const cardSchema = z.object({
  id: z.string(),
  cardNumber: z.string(),
  state: z.enum(cardStates),
  template: z.string(),
  userId: z.string(),
  holderName: z.string(),
  organizationalUnit: z.string().nullable(),
  /** The running batch that holds the card now (null once that batch has finished with it). */
  batchId: z.string().nullable().describe("The running batch that holds the card now"),
  /** The batch that last took the card: the one that produced (or activated) it, kept afterwards. */
  lastBatchId: z
    .string()
    .nullable()
    .describe("The batch that last took the card (produced or activated it), kept after it finished"),
  /** Filled in by the card reads (search and one card), not by process answers. */
  batchNumber: z
    .int()
    .nullable()
    .optional()
    .describe("The number of the batch that holds the card (batchId), else of the one that last took it"),
  version: z.int(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  issuedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  updatedAt: z.string(),
  predecessorId: z
    .string()
    .nullable()
    .describe("The card this one renews (Renew multiple cards); activating this one locks that one"),
  tokenSerial: z
    .string()
    .nullable()
    .describe(
      "The serial of the chip's token, for a card personalised through PKCS#11; null for a software token",
    ),
  /** Filled in by the read of one card: the newest card that renews this one. */
  successorId: z.string().nullable().optional().describe("The newest card that renews this one"),
  /** Symbolic names of the processes the card's state allows now. */
  allowedProcesses: z.array(z.string()),
});
export type CardView = z.infer<typeof cardSchema>;

export function toCardView(card: Card): CardView {
  const encoder = card.tokenSerial ? "pkcs11" : "software";
  return {
    ...card,
    allowedProcesses: processesAllowedInState(card.state, encoder).map((p) => p.symbolicName),
  };
}

export const certificateSchema = z.object({
  serial: z.string(),
  cardId: z.string().nullable(),
  cardNumber: z
    .string()
    .nullable()
    .optional()
    .describe("The printed number of the certificate's card (in the certificate search)"),
  profile: z.string(),
  subject: z.string(),
  state: z.enum(certificateStates),
  notBefore: z.string(),
  notAfter: z.string(),
  revokedAt: z.string().nullable(),
  revocationReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A card acted on by id, optionally at the version the operator saw (else the request may be stale). */
export const cardRefSchema = {
  cardId: z.string().min(1).max(64),
  version: z.int().positive().optional(),
};

/** A user acted on by id, optionally at the version the operator saw (else the request may be stale). */
export const userRefSchema = {
  userId: z.string().min(1).max(64),
  version: z.int().positive().optional(),
};

/** What Edit user answers: the user, which fields changed, and the cards that now show old data. */
export const userEditResultSchema = z.object({
  user: userSchema,
  /** The fields that changed (the photo as `photo`). */
  changed: z.array(z.string()),
  /** Those of them that a card shows (printed, or in a certificate). */
  cardFieldsChanged: z.array(z.string()),
  /** The user's cards in use (issued, active, inactive) that show the old data when a card field changed: to be replaced (Request card with `replaces`). */
  cardsToReplace: z.array(cardSchema),
});

/** What Import users answers: how many users were made, and each bad row by line. */
export const userImportResultSchema = z.object({
  created: z.int(),
  errors: z.array(z.object({ line: z.int(), reason: z.string() })),
});

/** What Request multiple cards answers: the cards requested, and each user who could not have one. */
export const cardRequestsResultSchema = z.object({
  cards: z.array(cardSchema),
  errors: z.array(z.object({ userId: z.string(), code: z.string(), reason: z.string() })),
});
