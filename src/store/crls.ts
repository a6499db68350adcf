import type { Db } from "./database.js";

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
