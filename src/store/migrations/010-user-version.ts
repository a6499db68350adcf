import type { Kysely } from "kysely";

/**
 * Users can be edited (UsersProcEdit, issue 12), so two registration officers may change one at
 * once: a version, bumped on every change, lets the second be refused as stale instead of
 * silently overwriting the first. Existing users start at 1, as new cards do.
 */
export async function userVersion(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
}
