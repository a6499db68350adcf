import { recordCertificates } from "../ca/issue-certificates.js";
import {
  type ChipJournalEntry,
  clearChipJournal,
  findChipJournal,
  findJournalledCertificates,
} from "../store/chip-journal.js";
import type { Db } from "../store/database.js";

/**
 * Every certificate the chip journal holds for these cards and that is not recorded yet (not in
 * `recorded`) is recorded revoked, in the caller's transaction, and the journal forgets the
 * cards' certificates — and their tokens too unless `keepTokens` (a card about to be redone on
 * its token). A certificate signed for a chip thus ends on a recorded card or revoked, whatever
 * became of the chunk: redone, recorded, or given up. Returns the journal as it was.
 */
export async function revokeJournalled(
  trx: Db,
  cardIds: readonly string[],
  at: string,
  options: { keepTokens: boolean; recorded?: ReadonlySet<string> },
): Promise<ChipJournalEntry[]> {
  const entries = await findChipJournal(trx, cardIds);
  const journalled = await findJournalledCertificates(trx, cardIds);
  // Most chunks have nothing journalled from an earlier attempt: write nothing for them.
  if (entries.length === 0 && journalled.length === 0) return entries;
  await recordCertificates(
    trx,
    journalled
      .filter(({ certificate }) => !options.recorded?.has(certificate.serial))
      .map(({ cardId, certificate }) => ({ cardId, certificate, as: "unused" as const })),
    at,
  );
  await clearChipJournal(trx, cardIds, { entries: !options.keepTokens });
  return entries;
}
