import type { Kysely } from "kysely";
import { createIndexes } from "./table-definitions.js";

/**
 * Renewal (issue 12): a renewed card's successor names the card it replaces, so the card page can
 * link both ways, a card is not renewed twice, and activating the successor locks the
 * predecessor (superseded).
 */
export async function cardSuccessors(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("cards")
    .addColumn("predecessor_id", "text", (c) => c.references("cards.id"))
    .execute();
  await createIndexes(db, "cards", { cards_predecessor: ["predecessor_id"] });
}
