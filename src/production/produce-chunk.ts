import { cardFieldProblems } from "../domain/card-fields.js";
import type { TesseraError } from "../domain/errors.js";
import type { SignedCertificate } from "../domain/signed-certificate.js";
import { clampValidity } from "../pki/index.js";
import { CardNotWanted } from "./card-encoder.js";
import { checkJob } from "./check-job.js";
import type { ChunkCard, ChunkCardResult, ChunkJob, ChunkResult, ChunkTemplate } from "./chunk-job.js";
import { isCardFailure, type ProducedCard, produceCard } from "./produce-card.js";
import type { ProductionContext } from "./production-context.js";
import { type PagesOfCard, writeParts } from "./write-parts.js";

type Validity = { notBefore: Date; notAfter: Date } | { error: TesseraError };

/** A made card waiting for its pages. */
type MadeCard = ProducedCard & PagesOfCard & { readonly cryptoMs: number };

/**
 * Produces one chunk of a batch (see `chunk-job.ts`): each card in order (`produce-card.ts`),
 * then the chunk's print-file and PIN-letter parts (`write-parts.ts`). No threads and no
 * database here: the worker thread (`chunk-worker.ts`) calls it, and so can a test.
 *
 * A card that fails with its own coded error (see {@link isCardFailure}) is
 * reported with its code, its reason and the certificates already signed for it, and has no page
 * in either part; the other cards go on. Anything else (a bug, a full disk) rejects the whole
 * chunk, which the runner can produce again.
 *
 * What runs once per card or per page below, in the encoder, the PKCS#12 and the PDF writers,
 * is a module's function or a class's method, not a closure made for each card or file.
 * V8 keeps a closure's optimized code only while one of its closures lives, so at every full GC
 * (every two or three chunks, in the crypto between the files) it dropped the code of those
 * made per card or file, and compiled them again: in a 10,000-card batch, ≈ 370 compilations on
 * V8's helper threads, ≈ 6 % of the batch's CPU.
 *
 * @throws TesseraError `production.options_invalid` for a job that cannot be produced at all.
 */
export async function produceChunk(
  context: ProductionContext,
  job: ChunkJob,
  options: { concurrency?: number } = {},
): Promise<ChunkResult> {
  checkJob(job);
  const validities = new Map<string, Validity>();
  const validityOf = (name: string, template: ChunkTemplate): Validity => {
    let validity = validities.get(name);
    if (!validity) {
      const notBefore = new Date(job.notBefore);
      const notAfter = new Date(notBefore.getTime() + template.validityDays * 86_400_000);
      try {
        validity = clampValidity(context.issuer.ca, notBefore, notAfter);
      } catch (error) {
        if (!isCardFailure(error)) throw error;
        validity = { error };
      }
      validities.set(name, validity);
    }
    return validity;
  };

  // A card that fails before its pages gets its result here; a made card gets it after them.
  const results: (ChunkCardResult | undefined)[] = [];
  const made: MadeCard[] = [];
  const produceAt = async (index: number) => {
    const card = job.cards[index]!;
    const started = performance.now();
    const template = job.templates[card.template]!;
    const certificates: SignedCertificate[] = [];
    try {
      const validity = validityOf(card.template, template);
      if ("error" in validity) throw validity.error;
      const produced = await produceCard(context, job, card, template, validity, certificates);
      made.push({ index, ...produced, cryptoMs: performance.now() - started, renderMs: 0 });
    } catch (error) {
      results[index] = failure(card, error, certificates, performance.now() - started);
    }
  };
  // Chip cards go through several readers at once; a software card is one thread's work.
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 1, job.cards.length));
  if (concurrency === 1) for (let index = 0; index < job.cards.length; index++) await produceAt(index);
  else {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < job.cards.length) await produceAt(next++);
      }),
    );
    // Pages follow the chunk's order, whatever order the readers finished in.
    made.sort((a, b) => a.index - b.index);
  }

  const { pages, failures } = await writeParts(job, made);
  for (const card of made) {
    const { cardId } = job.cards[card.index]!;
    const ms = card.cryptoMs + card.renderMs;
    const failed = failures.get(card.index);
    results[card.index] = failed
      ? failure(job.cards[card.index]!, failed, card.certificates, ms)
      : {
          cardId,
          ok: true,
          certificates: card.certificates,
          token: card.written.token,
          tokenSerial: card.written.tokenSerial,
          pukEncrypted: card.pukEncrypted,
          expiresAt: card.expiresAt,
          ms,
        };
  }
  return {
    batchId: job.batchId,
    chunk: job.chunk,
    cards: results.map((result) => result!),
    pages,
  };
}

/** A coded error becomes the card's failure; anything else is not the card's fault and fails the chunk. */
function failure(
  card: ChunkCard,
  error: unknown,
  certificates: SignedCertificate[],
  ms: number,
): ChunkCardResult {
  if (error instanceof CardNotWanted)
    return { cardId: card.cardId, ok: false, released: true, reason: error.message, certificates, ms };
  if (!isCardFailure(error)) throw error;
  return {
    cardId: card.cardId,
    ok: false,
    code: error.code,
    reason: reasonOf(card, error),
    certificates,
    ms,
  };
}

/**
 * Why a card failed, for the operator who mends it. A holder's data that X.509 or the card face
 * refuses ("The commonName is longer than 64 characters") is said as registration says it, with
 * what to do (`domain/card-fields.ts`): the same rules, so the same words.
 */
function reasonOf(card: ChunkCard, error: TesseraError): string {
  if (!/^certificate\.subject_|^production\.text_/.test(error.code)) return error.message;
  const [problem] = cardFieldProblems(card.holder);
  return problem ? `${problem.message[0]!.toUpperCase()}${problem.message.slice(1)}.` : error.message;
}
