import { sql } from "kysely";
import type { Db } from "../store/database.js";

/**
 * The rows `work` reads from `table`, by a scan of the table or of each of its indexes, in one
 * transaction on PostgreSQL: its own counts (`pg_stat_get_xact_tuples_returned`), before and
 * after, by relation name; relations it did not read are left out. How a test proves that a
 * statement finds its rows by the right index, whatever the planner's statistics believe.
 */
export function postgresReads(
  db: Db,
  table: string,
  work: (trx: Db) => Promise<void>,
): Promise<Record<string, number>> {
  return db.transaction().execute(async (trx) => {
    // As this connection counts them: counts of its earlier transactions may still be pending.
    const reads = async () => {
      const { rows } = await sql<{ name: string; read: number }>`
        select c.relname as name, pg_stat_get_xact_tuples_returned(c.oid) as read from pg_class c
         where c.oid = ${table}::regclass
            or c.oid in (select indexrelid from pg_index where indrelid = ${table}::regclass)`.execute(trx);
      return new Map(rows.map((row) => [row.name, Number(row.read)]));
    };
    const before = await reads();
    await work(trx);
    const after = await reads();
    return Object.fromEntries(
      [...after].flatMap(([name, n]) => (n > before.get(name)! ? [[name, n - before.get(name)!]] : [])),
    );
  });
}
