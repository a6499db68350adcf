import { z } from "zod";
import { cardEndStates } from "../domain/card-states.js";
import { certificateEndStates, lockReasons, revokeReasons } from "../domain/certificate-states.js";
import type { SymbolicName } from "../domain/process-catalog.js";
import { pinLengthBounds, pukLengthBounds } from "../domain/secret-lengths.js";
import { batchOrderResultSchema, selectionBodySchema } from "./batch-order-schemas.js";
import {
  cardRefSchema,
  cardRequestsResultSchema,
  cardSchema,
  certificateSchema,
  userEditResultSchema,
  userFieldsSchema,
  userImportResultSchema,
  userRefSchema,
  userSchema,
} from "./schemas.js";

/**
 * What each process of the catalog takes and answers, by symbolic name: the one statement of
 * both. Its handler validates with `body` and is typed by both, the OpenAPI document describes
 * them, and the web UI types its calls from them (src/http/api-types.ts). Zod and Node-free
 * modules only, so the UI's type-check can follow every import.
 */
interface ProcessContract {
  readonly body: z.ZodType;
  readonly result: z.ZodType;
}

/** A reason an operator may give, or leave out. */
const optionalReason = z.string().trim().max(500).optional();

/** A process on one card named by id (at the version the operator saw, when sent): it answers the card. */
const onCard = <Fields extends z.ZodRawShape>(fields: Fields) => ({
  body: z.strictObject({ ...cardRefSchema, ...fields }),
  result: z.object({ card: cardSchema }),
});

const serialSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([0-9a-f]{2}){1,20}$/, "a serial number in hexadecimal");

/** A process on one certificate named by its serial: it answers the certificate. */
const onCertificate = <Fields extends z.ZodRawShape>(fields: Fields) => ({
  body: z.strictObject({ serial: serialSchema, ...fields }),
  result: z.object({ certificate: certificateSchema }),
});

/**
 * A PIN as a body carries it: digits only. Its length is checked against the card's own rules
 * (template and chip) once the card is known, so that the refusal can name the card.
 */
const pinSchema = z
  .string()
  .max(64)
  .regex(/^\d+$/, { message: "must be digits only" })
  .describe("Digits; the card's template and chip decide how many");

/** Base64 of a 1 MB image is at most 1,398,104 characters. */
const photoSchema = z
  .string()
  .max(1_400_000, "the photo must be at most 1 MB")
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "the photo must be base64");

const userFields = userFieldsSchema.shape;

/**
 * An optional field an edit may clear, with `null` or with an empty (or blank) text: the
 * create's field alone reads "" as left out, and an edit that sends "" means "no more".
 */
const clearable = <T extends z.ZodType>(field: T) =>
  z.union([
    z
      .string()
      .trim()
      .length(0)
      .transform(() => null),
    field.nullable(),
  ]);

/** The options of Issue multiple cards an operator may send (the deployment decides which, see ProcessOptions). */
const issueOptionsBodySchema = z.strictObject({
  pinLength: z.int().min(pinLengthBounds.min).max(pinLengthBounds.max).optional(),
  pukLength: z.int().min(pukLengthBounds.min).max(pukLengthBounds.max).optional(),
  /** Names of the template's certificate profiles to issue; all of them when left out. */
  certificates: z.array(z.string().min(1).max(64)).max(8).optional(),
  cardEndState: z.enum(cardEndStates).optional(),
  certificateEndState: z.enum(certificateEndStates).optional(),
});

/** An object's id (a user's, a card's) as a body names it. */
const objectId = z.string().min(1).max(64);
const templateName = z.string().min(1).max(64);

export const processContracts = {
  UsersProcCreate: {
    body: userFieldsSchema.extend({ photo: photoSchema.optional() }),
    result: z.object({ user: userSchema }),
  },
  UsersBoProcImport: {
    body: z.strictObject({ csv: z.string().max(20_000_000, "at most 20 MB of CSV") }),
    result: userImportResultSchema,
  },
  /**
   * The create's fields (and their checks), each optional: a field left out stays as it is, and
   * `null` clears one that may be empty. The identifier names the person in certificates and in
   * imports, so it is not edited; `version` is the one the officer saw.
   */
  UsersProcEdit: {
    body: z.strictObject({
      ...userRefSchema,
      // An edit always names the version it was made on: without it, a concurrent edit is lost.
      version: userRefSchema.version.unwrap(),
      firstName: userFields.firstName.optional(),
      lastName: userFields.lastName.optional(),
      email: userFields.email.optional(),
      organizationalUnit: clearable(userFields.organizationalUnit),
      organization: clearable(userFields.organization),
      title: clearable(userFields.title),
      upn: clearable(userFields.upn),
      sid: clearable(userFields.sid),
      nameOnCard: clearable(userFields.nameOnCard),
      address: userFields.address.nullable(),
      photo: photoSchema.nullable().optional(),
    }),
    result: userEditResultSchema,
  },
  UsersProcDeactivate: {
    body: z.strictObject({
      ...userRefSchema,
      reason: z.string().trim().min(1, "required").max(500, "at most 500 characters"),
    }),
    result: z.object({
      user: userSchema,
      lockedCards: z.array(cardSchema),
      abortedCards: z.array(cardSchema),
    }),
  },
  UsersProcReactivate: {
    body: z.strictObject(userRefSchema),
    result: z.object({ user: userSchema }),
  },
  CardsProcRequest: {
    body: z.strictObject({
      userId: objectId,
      template: templateName,
      replaces: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .describe(
          "A card of the holder's, in use, of the same template, that the new card replaces: it does not count against one card per holder, and the new card's activation locks it (superseded)",
        ),
    }),
    result: z.object({ card: cardSchema }),
  },
  CardsBoProcRequestMultiple: {
    body: z.strictObject({
      userIds: z.array(objectId).min(1, "select at least one user").max(10_000),
      template: templateName,
    }),
    result: cardRequestsResultSchema,
  },
  CardsBoProcRenewMultiple: {
    body: z.strictObject({
      cardIds: z.array(objectId).min(1, "select at least one card").max(10_000),
    }),
    result: z.object({ cards: z.array(cardSchema) }),
  },
  CardsProcApprove: onCard({
    decision: z.enum(["approve", "reject", "postpone"]),
    reason: optionalReason,
  }),
  CardsProcAbortRequest: onCard({ reason: optionalReason }),
  CardsBoProcIssueMultiple: {
    body: selectionBodySchema({ options: issueOptionsBodySchema.optional() }),
    result: batchOrderResultSchema,
  },
  CardsProcRepeatProduction: onCard({}),
  CardsProcActivate: onCard({}),
  CardsBoProcActivateMultiple: { body: selectionBodySchema({}), result: batchOrderResultSchema },
  CardsProcDeactivate: onCard({ reason: optionalReason }),
  CardsProcReactivate: onCard({}),
  CardsProcLock: onCard({ reason: z.enum(lockReasons) }),
  CardsProcUnblockPin: onCard({ newPin: pinSchema }),
  CardsProcChangePin: onCard({ oldPin: pinSchema, newPin: pinSchema }),
  CertificatesProcHold: onCertificate({}),
  CertificatesProcRelease: onCertificate({}),
  CertificatesProcRevoke: onCertificate({
    reason: z.enum(revokeReasons),
  }),
} as const satisfies { readonly [Name in SymbolicName]: ProcessContract };

export type ProcessContracts = typeof processContracts;

/** The body a process takes, as a client sends it. */
export type ProcessBodyInput<Name extends SymbolicName> = z.input<ProcessContracts[Name]["body"]>;
/** The body a process takes, as its schema hands it to the handler. */
export type ProcessBody<Name extends SymbolicName> = z.output<ProcessContracts[Name]["body"]>;
/** What a process answers. */
export type ProcessAnswer<Name extends SymbolicName> = z.output<ProcessContracts[Name]["result"]>;

/** The processes on one card named by id: their body starts with the card's reference. */
export type CardProcessName = {
  [Name in SymbolicName]: ProcessBody<Name> extends { cardId: string } ? Name : never;
}[SymbolicName];

/** The processes on one certificate named by its serial. */
export type CertificateProcessName = {
  [Name in SymbolicName]: ProcessBody<Name> extends { serial: string } ? Name : never;
}[SymbolicName];
