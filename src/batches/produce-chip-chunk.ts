import type { Logger } from "pino";
import type { CardEncoder } from "../production/card-encoder.js";
import type { ChipJournal } from "../production/chip-encoder.js";
import { createChipEncoder } from "../production/chip-encoder.js";
import type { ChunkJob, ChunkResult, ChunkTemplate } from "../production/chunk-job.js";
import { produceChunk } from "../production/produce-chunk.js";
import type { ProductionContext } from "../production/production-context.js";
import { createPukCipher } from "../production/secrets.js";
import { createSoftwareEncoders } from "../production/software-encoder.js";
import { reservedTokenLabels } from "../services/chip-station.js";
import type { Services } from "../services/services.js";
import { markChunkWaitingForBlankCard } from "../store/batch-chunks.js";
import { findBatch } from "../store/batches.js";
import {
  findJournaledTokens,
  journalChipCertificate,
  releaseChipCard,
  startChipCard,
} from "../store/chip-journal.js";
import type { HeldChunk } from "./scheduler.js";

/** Whether a chunk holds chip cards: then a production station makes it, on its main thread. */
export function isChipJob(job: Pick<ChunkJob, "templates">): boolean {
  return Object.values(job.templates).some((template) => template.encoder === "pkcs11");
}

/**
 * Produces a chunk with chip cards from this thread, which loaded the readers' PKCS#11 module
 * (one per process) and holds the database the chip journal lives in: the journal is written
 * here before each step, and each step runs in the thread of the card's reader (see
 * `production/reader-thread.ts`). The chunk's software cards, if the batch mixes templates, are
 * made here too. Certificates are signed with the CA's signer of this process; the cards of one
 * chip template go through as many readers at once as it says.
 */
export async function produceChipChunk(
  services: Services,
  job: ChunkJob,
  held?: HeldChunk,
  log?: Pick<Logger, "warn" | "error">,
): Promise<ChunkResult> {
  const lease = held?.signal;
  const { store, ca, chipStation } = services;
  if (chipStation.refusal) throw new Error(chipStation.refusal);
  // A producer that lost the chunk's lease touches no further chip: another producer now owns
  // the chunk's cards and settles their journal.
  const holding = () => lease?.throwIfAborted();
  const journal: ChipJournal = {
    takenTokens: () => findJournaledTokens(store.db),
    start: async (entry) => {
      holding();
      return startChipCard(store.db, entry, services.clock().toISOString());
    },
    keepCertificate: async (cardId, certificate) => {
      holding();
      await journalChipCertificate(store.db, cardId, certificate);
      holding();
    },
    release: async (cardId) => {
      holding();
      await releaseChipCard(store.db, cardId);
    },
  };
  /** The chunk's cards waiting for a blank card now; the chunk says so while any does. */
  let waitingCards = 0;
  let marking = Promise.resolve();
  const markWaiting = (since: string | null) => {
    if (!held) return;
    // In the order the cards started and stopped waiting; a failure to say it fails no card.
    marking = marking
      .then(() => markChunkWaitingForBlankCard(store.db, held, since))
      .catch((error: unknown) => log?.error({ err: error }, "saying a chunk waits for a blank card failed"));
  };
  const caCertificates = [ca.identity.certificateDer, ...ca.chain];
  const softwareEncoderFor = createSoftwareEncoders({ caCertificates, iterations: 2048 });
  const chipEncoders = new Map<string, CardEncoder>();
  const chipEncoderOf = (template: ChunkTemplate): CardEncoder => {
    let encoder = chipEncoders.get(template.name);
    if (!encoder) {
      const settings = template.pkcs11;
      if (!settings) throw new Error(`the chip template ${template.name} has no pkcs11 settings`);
      const transportSoPin = chipStation.transportSoPin(settings);
      encoder = createChipEncoder({
        settings,
        transportSoPin,
        refusedTokens: chipStation.refusedTokens(settings, transportSoPin),
        journal,
        caCertificates,
        readers: chipStation.readersFor(settings),
        profiles: template.profiles,
        mayTouchChips: () => !lease?.aborted,
        stopping: () => held?.stopping?.aborted === true,
        stillWanted: async () => (await findBatch(store.db, job.batchId))?.state !== "cancelled",
        // The station's operator, who puts the blank cards in, reads the station's log; the
        // batch's operators read the batch page.
        onWaitingForBlankCard: (cardNumber, seconds) => {
          log?.warn(
            { batchNumber: job.batchNumber, cardNumber, module: settings.module, waitSeconds: seconds },
            `No blank card is left in the readers of ${settings.module}: card ${cardNumber} of batch ${job.batchNumber} waits up to ${seconds} s for one to be put in.`,
          );
          if (waitingCards++ === 0) markWaiting(services.clock().toISOString());
        },
        onDoneWaitingForBlankCard: () => {
          if (--waitingCards === 0) markWaiting(null);
        },
        onChipSetAside: (cardNumber, serial, cause) =>
          log?.warn(
            { batchNumber: job.batchNumber, cardNumber, tokenSerial: serial, cause },
            `Card ${cardNumber} of batch ${job.batchNumber} was interrupted on the chip of token ${serial}, which no longer answers (${cause}): that chip is set aside, its certificates are revoked, and the card is made on another blank card.`,
          ),
        // Erasing the CA's token would destroy the CA key, however blank its label looks.
        reservedLabels: reservedTokenLabels(ca),
      });
      chipEncoders.set(template.name, encoder);
    }
    return encoder;
  };
  const context: ProductionContext = {
    issuer: ca.issuer,
    pukCipher: createPukCipher(services.secrets.pukKey),
    encoderFor: (template) =>
      template.encoder === "pkcs11" ? chipEncoderOf(template) : softwareEncoderFor(template),
  };
  const readers = Math.max(...Object.values(job.templates).map((template) => template.pkcs11?.readers ?? 1));
  try {
    return await produceChunk(context, job, { concurrency: readers });
  } finally {
    await marking;
  }
}
