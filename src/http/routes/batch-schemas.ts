import { z } from "zod";

/** A batch order with its progress, as `GET /api/v1/batches` lists it. */
export const batchSchema = z.object({
  id: z.string(),
  number: z
    .int()
    .describe(
      "The batch's short number, for people: batches are numbered 1, 2, 3, … in the order they were made",
    ),
  process: z.string(),
  state: z.enum(["running", "completed", "cancelled"]),
  options: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdByName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  total: z.int(),
  done: z.int(),
  failed: z.int(),
  /** Cards given back untouched (approved) when the batch was cancelled. */
  released: z.int(),
  left: z.int(),
  inProduction: z
    .int()
    .describe(
      "Cards being produced right now: of a running batch those of the chunks in work; of a cancelled batch the cards that were in production when it was cancelled and are still finishing",
    ),
  finishing: z
    .boolean()
    .describe(
      "Cancelled while chunks were in production, which still finish; production has ended when finishedAt is set",
    ),
  waitingForBlankCardSince: z
    .string()
    .nullable()
    .describe(
      "Since when a card of the batch in production waits for a blank card to be put in the readers of its production station (the earliest, when several wait); null when none waits",
    ),
  pinLettersPurgedAt: z.string().nullable(),
  mayDownload: z
    .object({ printFile: z.boolean(), pinLetters: z.boolean() })
    .describe(
      "What the caller's roles may fetch of this batch (the deployment's download setting); who may fetch the PIN letters may also purge them",
    ),
});

/** One card of a batch and how its production went (`code`/`reason` say why it failed). */
export const batchItemSchema = z.object({
  seq: z.int(),
  cardId: z.string(),
  cardNumber: z.string(),
  holderName: z.string(),
  state: z.enum(["pending", "done", "failed", "released"]),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  tokenSerial: z
    .string()
    .nullable()
    .describe(
      "The serial of the chip the card was personalised on (PKCS#11 encoder); null for a software token",
    ),
});

/** The parts of a batch's print file or PIN letters (one part per chunk). */
export const batchPartsSchema = z.array(z.object({ part: z.int(), pages: z.int(), bytes: z.int() }));

/** `GET /api/v1/batches/{id}`: the batch with one page of its cards and its files so far. */
export const batchDetailSchema = batchSchema.extend({
  items: z.array(batchItemSchema),
  nextCursor: z.string().nullable(),
  printFile: batchPartsSchema,
  pinLetters: batchPartsSchema,
});
