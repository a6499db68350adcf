import { sql, type UpdateQueryBuilder, type UpdateResult } from "kysely";

/**
 * Runs `update` (which sets the row's next version) only if the row `id` is still at `version`:
 * optimistic concurrency, so two operators acting on one row at once cannot both win. Returns
 * whether the row changed.
 */
export async function updatedAtVersion<DB, UT extends keyof DB, TB extends keyof DB>(
  update: UpdateQueryBuilder<DB, UT, TB, UpdateResult>,
  { id, version }: { id: string; version: number },
): Promise<boolean> {
  const result = await update
    .where(sql.ref("id"), "=", id)
    .where(sql.ref("version"), "=", version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
