import { type ProcessOptions, processOptionsSchema } from "../domain/process-options.js";
import type { Db, Dialect } from "./database.js";
import { lockUntilCommit } from "./transaction-locks.js";

/**
 * Makes the caller's transaction the only one changing the options until it ends: a change
 * reads the options, judges it against them (does it weaken a four-eyes rule?) and writes them
 * whole, so another change committing in between would be judged against, and overwritten by,
 * options that are no longer there. On PostgreSQL a transaction-scoped advisory lock; SQLite
 * has one connection, held by the transaction.
 */
export async function lockProcessOptions(trx: Db, dialect: Dialect): Promise<void> {
  await lockUntilCommit(trx, dialect, "processOptions");
}

export async function findProcessOptions(db: Db): Promise<ProcessOptions | undefined> {
  const row = await db.selectFrom("process_options").select("options").where("id", "=", 1).executeTakeFirst();
  return row && processOptionsSchema.parse(JSON.parse(row.options));
}

export async function saveProcessOptions(
  db: Db,
  options: ProcessOptions,
  updatedBy: string | null,
  at: string,
): Promise<void> {
  const json = JSON.stringify(options);
  await db
    .insertInto("process_options")
    .values({ id: 1, options: json, updated_by: updatedBy, updated_at: at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ options: json, updated_by: updatedBy, updated_at: at }))
    .execute();
}
