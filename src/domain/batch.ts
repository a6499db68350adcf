import { z } from "zod";
import { cardEndStates } from "./card-states.js";
import { certificateEndStates } from "./certificate-states.js";
import type { IssueOptions } from "./issue-options.js";
import { findProcess } from "./process-catalog.js";
import { pinLengthBounds, pukLengthBounds } from "./secret-lengths.js";

export type BatchState = "running" | "completed" | "cancelled";

/** The options an Issue multiple cards batch runs with, as it stores them (see `resolveIssueOptions`). */
export const issueOptionsSchema = z.object({
  pinLength: z.int().min(pinLengthBounds.min).max(pinLengthBounds.max),
  pukLength: z.int().min(pukLengthBounds.min).max(pukLengthBounds.max),
  certificates: z.array(z.string()).nullable(),
  cardEndState: z.enum(cardEndStates),
  certificateEndState: z.enum(certificateEndStates),
  pukPrinted: z.boolean(),
}) satisfies z.ZodType<IssueOptions>;

/** Activate multiple cards takes no options. */
const noOptionsSchema = z.object({}).strict();

const issueMultiple = findProcess("CardsBoProcIssueMultiple").symbolicName;

/** The options a batch runs with: Issue multiple cards has its {@link IssueOptions}; the others none. */
export type BatchOptions = z.infer<typeof issueOptionsSchema> | Readonly<Record<string, never>>;

/** A batch order: one run of a batch process over many cards, with its progress. */
export interface Batch {
  readonly id: string;
  /** The short number operators read and say ("batch 42"), in the order batches were made. */
  readonly number: number;
  readonly process: string;
  readonly options: BatchOptions;
  readonly state: BatchState;
  readonly createdBy: string;
  readonly createdByName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly released: number;
  readonly left: number;
  /**
   * Cards of the batch being produced right now (their chunk is taken): of a running batch
   * those of the chunks in work; of a cancelled one every card not yet finished, since the
   * chunks in work when it was cancelled finish.
   */
  readonly inProduction: number;
  /** Cancelled while chunks were in production: they still finish (`finishedAt` is set when they have). */
  readonly finishing: boolean;
  /**
   * Since when a card of the batch in production waits for a blank card to be put in its
   * station's readers (the first such, when several wait); null when none waits.
   */
  readonly waitingForBlankCardSince: string | null;
  readonly chunks: number;
  readonly pinLettersPurgedAt: string | null;
}

/**
 * A batch's stored options, parsed by its process's schema: a batch whose options do not fit
 * its process is refused here rather than run with guesses.
 */
export function parseBatchOptions(process: string, options: unknown): BatchOptions {
  return process === issueMultiple ? issueOptionsSchema.parse(options) : noOptionsSchema.parse(options);
}

/** The options of an Issue multiple cards batch. */
export function issueOptionsOf(batch: Batch): IssueOptions {
  if (batch.process !== issueMultiple)
    throw new Error(`Batch ${batch.id} is a ${batch.process} batch, which issues nothing.`);
  return issueOptionsSchema.parse(batch.options);
}

/**
 * The smallest chunk the end of a batch is cut into, but for its last cards (below). A chunk
 * costs a claim, a recording transaction and a print-file and a PIN-letter part of its own;
 * much smaller, the threads' balance at the end no longer pays for them.
 */
export const smallestTailChunk = 50;

/**
 * How a batch of `cards` is cut into chunks, in the order they are claimed: chunks of
 * `chunkSize` while what is left shared among the `chunksInFlight` chunks the producing threads
 * hold at once is at least that, then each that share, down to {@link smallestTailChunk}. Fewer
 * cards than that are not left over as a sliver: the last up to twice that many are cut in two
 * halves, and a batch of up to that many is one chunk. Chunks configured no larger than that
 * are kept as configured.
 *
 * A chunk is produced whole by one thread, and each thread holds two (the one it produces and
 * the next), so with equal chunks the threads of a batch end up to a whole chunk apart: at 250
 * cards a chunk and two threads, one thread went idle 1.2 s before the end of a 10,000-card
 * batch of 29 s. Cut finer at the end (guided self-scheduling), the last chunks go to whichever
 * thread is free, and the threads end within a small chunk of each other (12–240 ms).
 */
export function planChunks(cards: number, chunkSize: number, chunksInFlight: number): number[] {
  for (const [what, n, least] of [
    ["cards in a batch", cards, 0],
    ["cards in a chunk", chunkSize, 1],
    ["chunks in flight", chunksInFlight, 1],
  ] as const)
    if (!Number.isInteger(n) || n < least) throw new RangeError(`${n} is no number of ${what}.`);
  const sizes: number[] = [];
  if (chunkSize <= smallestTailChunk) {
    for (let left = cards; left > 0; left -= chunkSize) sizes.push(Math.min(left, chunkSize));
    return sizes;
  }
  for (let left = cards; left > 0; ) {
    let size = Math.min(left, chunkSize, Math.max(smallestTailChunk, Math.ceil(left / chunksInFlight)));
    if (left - size > 0 && left - size < smallestTailChunk) size = Math.ceil(left / 2);
    sizes.push(size);
    left -= size;
  }
  return sizes;
}
