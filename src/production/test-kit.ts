/**
 * Helpers for the chunk and pool tests: a CA made in the test, the demo templates as a chunk
 * carries them, and cards. Not used by the library itself.
 */
import { demoTemplates } from "../domain/card-template.js";
import type { ChunkCard, ChunkJob, ChunkTemplate } from "./chunk-job.js";
import { createThrowawayWorkerInit } from "./throwaway-worker-init.js";

/** A fresh P-384 CA, valid from an hour ago for ten years, and the init a worker gets. */
export const createTestInit = () => createThrowawayWorkerInit("CN=Tessera Chunk Test CA,O=Tessera");

/** "Employee ID" (authentication + signature, P-256) and "Contractor badge" (authentication, RSA-2048). */
export const chunkTemplates: Record<string, ChunkTemplate> = Object.fromEntries(
  demoTemplates.map((template) => [
    template.name,
    {
      name: template.name,
      encoder: template.encoder,
      profiles: template.profiles,
      validityDays: template.validityDays,
      layout: template.layout,
    },
  ]),
);

let running = 0;

/** A card of `template` whose holder and number are unique in the test run; `holder` overrides fields. */
export function testCard(
  template: string,
  holder: Partial<ChunkCard["holder"]> = {},
  photo: Uint8Array | null = null,
): ChunkCard {
  const n = ++running;
  const prefix = template === "Contractor badge" ? "7002" : "7001";
  return {
    cardId: `card-${n}`,
    cardNumber: `${prefix}${String(n).padStart(8, "0")}`,
    template,
    holder: {
      firstName: "Ada",
      lastName: `Lovelace${n}`,
      email: `ada${n}@example.org`,
      identifier: `E${String(n).padStart(6, "0")}`,
      organization: "Analytical Engines Ltd",
      organizationalUnit: "Research",
      title: null,
      upn: `ada${n}@corp.example.org`,
      sid: null,
      addressLines: ["12 St James's Square", "London SW1Y 4JH"],
      ...holder,
    },
    photo,
  };
}

/** A job over `cards` writing its parts as `print-<chunk>.pdf` and `letters-<chunk>.pdf` in `folder`. */
export function testJob(
  folder: string,
  chunk: number,
  cards: ChunkCard[],
  overrides: Partial<ChunkJob> = {},
): ChunkJob {
  return {
    batchId: "batch-1",
    chunk,
    templates: chunkTemplates,
    cards,
    pinLength: 6,
    pukLength: 8,
    certificateEndState: "onHold",
    pukPrinted: false,
    organizationName: "Tessera ID Office",
    notBefore: new Date().toISOString(),
    printFilePath: `${folder}/print-${chunk}.pdf`,
    pinLettersPath: `${folder}/letters-${chunk}.pdf`,
    ...overrides,
  };
}
