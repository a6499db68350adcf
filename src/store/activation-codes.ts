import { createHash } from "node:crypto";
import type { Db } from "./database.js";
import { slices } from "./slices.js";

/**
 * A code is kept as SHA-256 over the card's id and the code: the database alone does not give
 * the codes away, and one card's hash says nothing about another's. Sixty random bits and a few
 * tries per card leave nothing to gain from a slow hash.
 */
export function hashActivationCode(cardId: string, code: string): string {
  return createHash("sha256").update(`${cardId}\n${code}`).digest("hex");
}

export interface ActivationCodeRecord {
  cardId: string;
  codeHash: string;
  expiresAt: string;
  failedTries: number;
  usedAt: string | null;
}

/** Keeps each card's new code (a card produced again gets a new letter, so a new code). */
export async function saveActivationCodes(
  db: Db,
  codes: readonly { cardId: string; code: string; expiresAt: string }[],
  at: string,
): Promise<void> {
  for (const slice of slices(codes, 500))
    await db
      .insertInto("activation_codes")
      .values(
        slice.map((c) => ({
          card_id: c.cardId,
          code_hash: hashActivationCode(c.cardId, c.code),
          expires_at: c.expiresAt,
          failed_tries: 0,
          used_at: null,
          created_at: at,
        })),
      )
      .onConflict((conflict) =>
        conflict.column("card_id").doUpdateSet((eb) => ({
          code_hash: eb.ref("excluded.code_hash"),
          expires_at: eb.ref("excluded.expires_at"),
          failed_tries: 0,
          used_at: null,
          created_at: eb.ref("excluded.created_at"),
        })),
      )
      .execute();
}

export async function findActivationCode(db: Db, cardId: string): Promise<ActivationCodeRecord | undefined> {
  return db
    .selectFrom("activation_codes")
    .select([
      "card_id as cardId",
      "code_hash as codeHash",
      "expires_at as expiresAt",
      "failed_tries as failedTries",
      "used_at as usedAt",
    ])
    .where("card_id", "=", cardId)
    .executeTakeFirst();
}

export async function countFailedActivationTry(db: Db, cardId: string): Promise<void> {
  await db
    .updateTable("activation_codes")
    .set((eb) => ({ failed_tries: eb("failed_tries", "+", 1) }))
    .where("card_id", "=", cardId)
    .execute();
}

export async function markActivationCodeUsed(db: Db, cardId: string, at: string): Promise<void> {
  await db.updateTable("activation_codes").set({ used_at: at }).where("card_id", "=", cardId).execute();
}

/** Records a try from `address` and answers how many it made since `since`, this one included. */
export async function recordActivationAttempt(
  db: Db,
  address: string,
  at: string,
  since: string,
): Promise<number> {
  await db.insertInto("activation_attempts").values({ address, at }).execute();
  // Old tries say nothing any more: the table holds about an hour of them.
  await db.deleteFrom("activation_attempts").where("at", "<", since).execute();
  const row = await db
    .selectFrom("activation_attempts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("address", "=", address)
    .where("at", ">=", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
