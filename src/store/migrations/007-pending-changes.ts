import type { Kysely } from "kysely";

/**
 * Changes that wait for a second administrator (issue 8: nobody decides alone): a weakened
 * four-eyes rule in the process options, or a new enabled administrator. One row per proposal;
 * it is decided once, by someone else than who proposed it.
 */
export function pendingChanges() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("pending_changes")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("object_id", "text")
        .addColumn("change", "text", (c) => c.notNull())
        .addColumn("password_hash", "text")
        .addColumn("rules", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("proposed_by", "text", (c) => c.notNull())
        .addColumn("proposed_by_name", "text", (c) => c.notNull())
        .addColumn("proposed_at", "text", (c) => c.notNull())
        .addColumn("decided_by", "text")
        .addColumn("decided_by_name", "text")
        .addColumn("decided_at", "text")
        .execute();
      await db.schema
        .createIndex("pending_changes_state")
        .on("pending_changes")
        .columns(["state", "proposed_at"])
        .execute();
    },
  };
}
