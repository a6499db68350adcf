import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { TesseraError } from "../domain/errors.js";
import type { CardFace } from "./card-face.js";
import type { ChunkJob } from "./chunk-job.js";
import { createPinLetterWriter, type PinLetter } from "./pin-letters.js";
import { createPrintFileWriter } from "./print-file.js";
import { isCardFailure } from "./produce-card.js";

/** A card whose crypto is done, waiting for its page in each part. */
export interface PagesOfCard {
  /** The card's place in the job. */
  readonly index: number;
  readonly face: CardFace;
  readonly letter: PinLetter;
  /** Set to the milliseconds its two pages took. */
  renderMs: number;
}

/**
 * Writes each card's face and letter, in order, to the chunk's print-file and PIN-letter parts
 * (each to `${path}.tmp`, then renamed, so to this process a part file is complete or absent). A
 * card refused by one writer after the other took its page (e.g. a face whose photo cannot be read,
 * whose letter was written) would leave a page of a failed card: then both parts are written again
 * without the refused cards. Only a card with pages in both parts counts as made. No page: no part
 * (a part left by an earlier attempt of the chunk is removed too), and `pages` is 0.
 *
 * @returns the pages in each part, and the cards a writer refused with a coded error.
 */
export async function writeParts(
  job: ChunkJob,
  made: readonly PagesOfCard[],
): Promise<{ pages: number; failures: Map<number, TesseraError> }> {
  const failures = new Map<number, TesseraError>();
  // One date on every letter of the chunk, however often it is written.
  const date = new Date();
  let cards = made;
  try {
    if (cards.length === 0) {
      await discardPart(job.printFilePath);
      await discardPart(job.pinLettersPath);
      return { pages: 0, failures };
    }
    for (;;) {
      const pass = await writePartsOnce(job, cards, date);
      for (const [index, error] of pass.failures) failures.set(index, error);
      if (!pass.orphanPages) {
        const pages = cards.length - pass.failures.size;
        if (pages === 0) {
          await discardPart(job.printFilePath);
          await discardPart(job.pinLettersPath);
        } else {
          await commitParts([job.printFilePath, job.pinLettersPath]);
        }
        return { pages, failures };
      }
      cards = cards.filter((card) => !failures.has(card.index));
    }
  } catch (error) {
    await Promise.allSettled([
      rm(tmpPath(job.printFilePath), { force: true }),
      rm(tmpPath(job.pinLettersPath), { force: true }),
    ]);
    throw error;
  }
}

async function writePartsOnce(
  job: ChunkJob,
  cards: readonly PagesOfCard[],
  date: Date,
): Promise<{ failures: Map<number, TesseraError>; orphanPages: boolean }> {
  const failures = new Map<number, TesseraError>();
  let orphanPages = false;
  const firstTemplate = job.templates[job.cards[0]?.template ?? ""];
  // The part files hold PINs until the runner records them: readable by the owner only.
  const faces = createPrintFileWriter(createWriteStream(tmpPath(job.printFilePath), { mode: 0o600 }), {
    layout: firstTemplate?.layout ?? { title: "IDENTITY CARD", accentColor: "#1f4e79" },
    documentTitle: `Batch ${job.batchId} — card faces — part ${job.chunk}`,
  });
  const letters = createPinLetterWriter(createWriteStream(tmpPath(job.pinLettersPath), { mode: 0o600 }), {
    organizationName: job.organizationName,
    pukPrinted: job.pukPrinted,
    date,
    documentTitle: `Batch ${job.batchId} — PIN letters — part ${job.chunk}`,
  });
  const coded = (error: unknown) => {
    if (isCardFailure(error)) return error;
    throw error;
  };
  let unexpected: { error: unknown } | undefined;
  try {
    for (const card of cards) {
      const started = performance.now();
      try {
        await faces.add(card.face);
      } catch (error) {
        failures.set(card.index, coded(error));
        continue;
      }
      try {
        await letters.add(card.letter);
      } catch (error) {
        failures.set(card.index, coded(error));
        orphanPages = true;
        continue;
      }
      card.renderMs = performance.now() - started;
    }
  } catch (error) {
    unexpected = { error };
  }
  // Both files are ended even after an unexpected error, so no descriptor is left open.
  const ended = await Promise.allSettled([faces.finish(), letters.finish()]);
  if (unexpected) throw unexpected.error;
  for (const outcome of ended) if (outcome.status === "rejected") throw outcome.reason;
  return { failures, orphanPages };
}

const tmpPath = (part: string) => `${part}.tmp`;

/**
 * Renames each part's `.tmp` over the part. Not synced: only this process reads a part, right
 * after it is written, to record it in the database (`batches/issue-chunk.ts`, which then
 * removes it however production ended); after a crash the chunk is made again and its parts
 * written anew, so a part that a power loss cut short is never read. Syncing cost a
 * production thread ≈ 6 ms a chunk of waiting (three fsyncs), and forced every chunk's PIN
 * letters onto the disk blocks of a file deleted a moment later; unsynced, a part removed before
 * the kernel writes it back (30 s by default) need never reach the disk.
 */
async function commitParts(parts: readonly string[]): Promise<void> {
  for (const part of parts) await rename(tmpPath(part), part);
}

/** No page: no part. A part from an earlier attempt of this chunk is removed too. */
async function discardPart(part: string): Promise<void> {
  await rm(tmpPath(part), { force: true });
  await rm(part, { force: true });
}
