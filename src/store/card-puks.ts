import type { Db } from "./database.js";

/**
 * The encrypted PUK of a card (null when it has none: a software token, or a card made before
 * PUKs were stored). Kept out of `Card` on purpose: only unblocking reads it, never a card view.
 */
export async function findCardPuk(db: Db, cardId: string): Promise<string | null> {
  const row = await db
    .selectFrom("cards")
    .select("puk_encrypted")
    .where("id", "=", cardId)
    .executeTakeFirst();
  return row?.puk_encrypted ?? null;
}

/** How many PUKs `operatorId` was given since `since` (ISO time), from the object history. */
export async function countPukDisclosures(db: Db, operatorId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("operator_id", "=", operatorId)
    .where("action", "=", "card.disclosePuk")
    .where("outcome", "=", "success")
    .where("at", ">", since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
