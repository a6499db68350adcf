import type { SignedCertificate } from "../domain/signed-certificate.js";
import type { Db } from "./database.js";
import { selectInSlices } from "./in-slices.js";

/** A chip card in a reader, as its journal left it (migration 015). */
export interface ChipJournalEntry {
  readonly cardId: string;
  readonly tokenSerial: string;
  /** The PUK the token's SO PIN becomes (or already is), encrypted as the card keeps it. */
  readonly pukEncrypted: string;
  /** Signed for the card and written, or about to be written, to its chip. */
  readonly certificates: SignedCertificate[];
}

/**
 * Writes down that `tokenSerial` is about to become the card `cardId`, with the PUK its SO PIN
 * will be, before the token is touched. False when another card already holds that token (a
 * second producer took it first): pick another.
 */
export async function startChipCard(
  db: Db,
  entry: { cardId: string; tokenSerial: string; pukEncrypted: string },
  at: string,
): Promise<boolean> {
  const result = await db
    .insertInto("chip_journal")
    .values({
      card_id: entry.cardId,
      token_serial: entry.tokenSerial,
      puk_encrypted: entry.pukEncrypted,
      started_at: at,
    })
    // Only the token may be taken already: a card journalled twice is a bug, and fails loudly.
    .onConflict((oc) => oc.column("token_serial").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Forgets the token of a card whose chip was not touched (it refused the transport PIN). */
export async function releaseChipCard(db: Db, cardId: string): Promise<void> {
  await db.deleteFrom("chip_journal").where("card_id", "=", cardId).execute();
}

/** Writes down a certificate signed for a chip card, before it is written to the chip. */
export async function journalChipCertificate(
  db: Db,
  cardId: string,
  certificate: SignedCertificate,
): Promise<void> {
  await db
    .insertInto("chip_journal_certificates")
    .values({
      serial: certificate.serial,
      card_id: cardId,
      profile: certificate.profile,
      subject: certificate.subject,
      der: Buffer.from(certificate.der),
      not_before: certificate.notBefore,
      not_after: certificate.notAfter,
    })
    .execute();
}

/** The journal of these cards: those an earlier attempt started and did not record. */
export async function findChipJournal(db: Db, cardIds: readonly string[]): Promise<ChipJournalEntry[]> {
  const [entries, certificates] = await Promise.all([
    selectInSlices(cardIds, 1000, (slice) =>
      db.selectFrom("chip_journal").selectAll().where("card_id", "in", slice).execute(),
    ),
    findJournalledCertificates(db, cardIds),
  ]);
  return entries.map((entry) => ({
    cardId: entry.card_id,
    tokenSerial: entry.token_serial,
    pukEncrypted: entry.puk_encrypted,
    certificates: certificates.filter((c) => c.cardId === entry.card_id).map((c) => c.certificate),
  }));
}

/**
 * The certificates journalled for these cards, also those whose token entry is gone (a producer
 * that lost its chunk may journal after the chunk was settled elsewhere).
 */
export async function findJournalledCertificates(
  db: Db,
  cardIds: readonly string[],
): Promise<{ cardId: string; certificate: SignedCertificate }[]> {
  const rows = await selectInSlices(cardIds, 1000, (slice) =>
    db
      .selectFrom("chip_journal_certificates")
      .selectAll()
      .where("card_id", "in", slice)
      .orderBy("serial")
      .execute(),
  );
  return rows.map((row) => ({
    cardId: row.card_id,
    certificate: {
      serial: row.serial,
      profile: row.profile,
      subject: row.subject,
      der: Buffer.from(row.der),
      notBefore: row.not_before,
      notAfter: row.not_after,
    },
  }));
}

/** The serials of every token a card is being personalised on now (by any producer). */
export async function findJournaledTokens(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom("chip_journal").select("token_serial").execute();
  return new Set(rows.map((row) => row.token_serial));
}

/**
 * Forgets the journal's certificates of these cards (they are recorded now, on the card or
 * revoked), and with `entries` also the cards' tokens (the cards are recorded finished or failed).
 */
export async function clearChipJournal(
  db: Db,
  cardIds: readonly string[],
  what: { entries: boolean },
): Promise<void> {
  for (let i = 0; i < cardIds.length; i += 1000) {
    const slice = cardIds.slice(i, i + 1000);
    await db.deleteFrom("chip_journal_certificates").where("card_id", "in", slice).execute();
    if (what.entries) await db.deleteFrom("chip_journal").where("card_id", "in", slice).execute();
  }
}
