import type { Kysely } from "kysely";

/**
 * A PUK disclosed to a helpdesk desk is rotated after the desk's unblock. The disclosure stores
 * the next PUK, encrypted like the PUK (same key, same card id), as the card's pending PUK; the
 * desk sets it as the chip's SO PIN and confirms, which makes it the card's PUK. Until then the
 * chip's SO PIN is the PUK or the pending one, and whoever logs in as SO tries both.
 */
export async function pendingPuk(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("cards").addColumn("puk_pending_encrypted", "text").execute();
}
