import type { Db, Dialect } from "./database.js";
import { lockUntilCommit } from "./transaction-locks.js";

/**
 * Makes the caller's transaction the only one handing out the secrets (PIN letters, software
 * tokens) of this batch until it ends, so that the check "has this operator fetched the other
 * half?" and the download that records it cannot interleave with another download: asked for
 * at the same moment, the PIN letters and a token would otherwise both pass the check. On
 * PostgreSQL a transaction-scoped advisory lock; SQLite has one connection, held by the
 * transaction.
 */
export async function lockBatchSecrets(trx: Db, dialect: Dialect, batchId: string): Promise<void> {
  await lockUntilCommit(trx, dialect, "batchSecrets", batchId);
}

/**
 * Whether the operator has fetched the PIN letters of the batch, or a software token the batch
 * made: read from the object history, where every download is recorded. One operator may hold
 * one half of a batch's secrets, never both.
 */
export async function hasFetchedBatchSecret(
  db: Db,
  operatorId: string,
  batchId: string,
  secret: "pinLetters" | "token",
): Promise<boolean> {
  const row =
    secret === "pinLetters"
      ? await db
          .selectFrom("audit_log")
          .select("seq")
          .where("object_type", "=", "batch")
          .where("object_id", "=", batchId)
          .where("action", "=", "batch.downloadPinLetters")
          .where("outcome", "=", "success")
          .where("operator_id", "=", operatorId)
          .limit(1)
          .executeTakeFirst()
      : await db
          .selectFrom("audit_log")
          .innerJoin("card_tokens", "card_tokens.card_id", "audit_log.object_id")
          .select("audit_log.seq")
          .where("audit_log.object_type", "=", "card")
          .where("audit_log.action", "=", "card.downloadToken")
          .where("audit_log.outcome", "=", "success")
          .where("audit_log.operator_id", "=", operatorId)
          .where("card_tokens.batch_id", "=", batchId)
          .limit(1)
          .executeTakeFirst();
  return row !== undefined;
}
