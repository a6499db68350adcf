import type { Db, Dialect } from "./database.js";
import { lockUntilCommit } from "./transaction-locks.js";

export interface CrlRecord {
  number: number;
  thisUpdate: string;
  nextUpdate: string;
  statusVersion: number;
  entries: number;
  der: Buffer;
}

export async function findLatestCrl(db: Db): Promise<CrlRecord | undefined> {
  const row = await db.selectFrom("crls").selectAll().orderBy("number", "desc").limit(1).executeTakeFirst();
  return (
    row && {
      number: Number(row.number),
      thisUpdate: row.this_update,
      nextUpdate: row.next_update,
      statusVersion: Number(row.status_version),
      entries: row.entries,
      der: Buffer.from(row.der),
    }
  );
}

/** Keeps the newest CRLs only: older ones are superseded and nobody needs them served. */
export async function insertCrl(db: Db, crl: CrlRecord): Promise<void> {
  await db
    .insertInto("crls")
    .values({
      number: crl.number,
      this_update: crl.thisUpdate,
      next_update: crl.nextUpdate,
      status_version: crl.statusVersion,
      entries: crl.entries,
      der: crl.der,
    })
    .execute();
  await db
    .deleteFrom("crls")
    .where("number", "<", crl.number - 10)
    .execute();
}

/**
 * Makes the caller's transaction the only one publishing a CRL until it ends, so that Tessera
 * instances sharing one database do not sign two CRLs with one number. On PostgreSQL a
 * transaction-scoped advisory lock; SQLite has one connection, held by the transaction.
 */
export async function lockCrlPublication(trx: Db, dialect: Dialect): Promise<void> {
  await lockUntilCommit(trx, dialect, "crlPublication");
}

/** Drops every CRL: they were signed by a CA that is being replaced. */
export async function deleteCrls(db: Db): Promise<void> {
  await db.deleteFrom("crls").execute();
}
