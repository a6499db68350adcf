import { issueOptionsSchema } from "../domain/batch.js";
import { findProcess } from "../domain/process-catalog.js";
import type { Db } from "./database.js";

/** The encrypted PUKs of a card: the one it has, and the next one while a rotation is not settled. */
export interface StoredPuks {
  /** The card's PUK (null when it has none: a software token, or a card made before PUKs were stored). */
  readonly stored: string | null;
  /** The PUK a desk was told to make the chip's SO PIN and has not confirmed (migration 022). */
  readonly pending: string | null;
}

/**
 * The card's PUK and its pending next PUK, both encrypted (null when it has none: a software
 * token, or a card made before PUKs were stored). Kept out of `Card` on purpose: only unblocking
 * reads them, never a card view.
 */
export async function findCardPuks(db: Db, cardId: string): Promise<StoredPuks> {
  const row = await db
    .selectFrom("cards")
    .select(["puk_encrypted", "puk_pending_encrypted"])
    .where("id", "=", cardId)
    .executeTakeFirst();
  return { stored: row?.puk_encrypted ?? null, pending: row?.puk_pending_encrypted ?? null };
}

/** Stores `encrypted` as the card's pending PUK, the one a desk is to make the chip's SO PIN. */
export async function setPendingPuk(db: Db, cardId: string, encrypted: string): Promise<void> {
  await db.updateTable("cards").set({ puk_pending_encrypted: encrypted }).where("id", "=", cardId).execute();
}

/**
 * Settles which PUK the chip has, once it took one: `pending` makes the pending PUK the card's
 * PUK, `stored` forgets the pending one (the chip never got it). Answers whether a pending PUK
 * was there to settle; the row is changed only then, so a repeated settlement changes nothing.
 */
export async function settleCardPuk(db: Db, cardId: string, chipHas: "stored" | "pending"): Promise<boolean> {
  const result = await db
    .updateTable("cards")
    .set((eb) =>
      chipHas === "pending"
        ? { puk_encrypted: eb.ref("puk_pending_encrypted"), puk_pending_encrypted: null }
        : { puk_pending_encrypted: null },
    )
    .where("id", "=", cardId)
    .where("puk_pending_encrypted", "is not", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Whether the Issue multiple cards batch that made the card printed its PUK on the PIN letter
 * (`pukPrinted`): then the holder holds a PUK on paper, which a rotation makes stop working.
 */
export async function isPukPrintedForCard(db: Db, cardId: string): Promise<boolean> {
  const rows = await db
    .selectFrom("batch_items")
    .innerJoin("batches", "batches.id", "batch_items.batch_id")
    .select("batches.options")
    .where("batch_items.card_id", "=", cardId)
    .where("batch_items.state", "=", "done")
    .where("batches.process", "=", issueMultiple)
    .orderBy("batches.number", "desc")
    .limit(1)
    .execute();
  // Read by the batch's own schema, as every stored batch option is (`issueOptionsSchema`).
  return rows[0] ? issueOptionsSchema.parse(JSON.parse(rows[0].options)).pukPrinted : false;
}

const issueMultiple = findProcess("CardsBoProcIssueMultiple").symbolicName;

/**
 * The card's latest entry of the PUK's own history: a disclosure to a desk (`card.disclosePuk`)
 * or a confirmed rotation (`card.rotatePuk`), successful ones only; undefined when neither.
 */
export async function findLatestPukEvent(
  db: Db,
  cardId: string,
): Promise<"card.disclosePuk" | "card.rotatePuk" | undefined> {
  const row = await db
    .selectFrom("audit_log")
    .select("action")
    .where("object_type", "=", "card")
    .where("object_id", "=", cardId)
    .where("action", "in", ["card.disclosePuk", "card.rotatePuk"])
    .where("outcome", "=", "success")
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.action as "card.disclosePuk" | "card.rotatePuk" | undefined;
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
