import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";
import { blobType, createIndexes, createTable } from "./table-definitions.js";

/**
 * Chip cards (issue 10). A card on plastic cannot be rolled back like a transaction, so what is
 * about to happen to a chip is written down before the chip is touched: which token goes to
 * which card with the PUK that will become its security-officer PIN, and every certificate
 * before it is written to the chip. The rows live while the card is in the reader; a card
 * interrupted anywhere is redone (or failed) from them, and its earlier certificates revoked.
 * A finished card keeps its token's serial; a chunk with chip cards is taken only by a station.
 */
export async function chipCards(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const blob = blobType(dialect);
  await db.schema.alterTable("cards").addColumn("token_serial", "text").execute();
  await createTable(db, "chip_journal", {
    card_id: "text primary key references cards.id",
    token_serial: "text not null",
    puk_encrypted: "text not null",
    started_at: "text not null",
  }).execute();
  // A token is personalised for one card at a time.
  await db.schema
    .createIndex("chip_journal_token")
    .unique()
    .on("chip_journal")
    .column("token_serial")
    .execute();
  await createTable(db, "chip_journal_certificates", {
    serial: "text primary key",
    card_id: "text not null references cards.id",
    profile: "text not null",
    subject: "text not null",
    der: `${blob} not null`,
    not_before: "text not null",
    not_after: "text not null",
  }).execute();
  await createIndexes(db, "chip_journal_certificates", { chip_journal_certificates_card: ["card_id"] });
  await createIndexes(db, "cards", { cards_token_serial: ["token_serial"] });
  // Only a production station with the readers takes a chunk that holds chip cards.
  await db.schema
    .alterTable("batch_chunks")
    .addColumn("encoder", "text", (c) => c.notNull().defaultTo("software"))
    .execute();
}
