import type { Kysely } from "kysely";

/**
 * Login throttling instead of a lock (issue 8, finding 7): failed logins counted per username
 * and address, per username and per address, in the database so that a restart or a second
 * Tessera on the same PostgreSQL sees them. The operators' own lock columns go: a lock that
 * anyone can trigger by guessing is what this replaces.
 */
export function loginThrottle() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("login_throttle")
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("address", "text", (c) => c.notNull())
        .addColumn("failures", "integer", (c) => c.notNull())
        .addColumn("last_failure_at", "text", (c) => c.notNull())
        .addColumn("delayed_until", "text")
        .addPrimaryKeyConstraint("login_throttle_pk", ["username", "address"])
        .execute();
      await db.schema
        .createIndex("login_throttle_last_failure")
        .on("login_throttle")
        .column("last_failure_at")
        .execute();
      await db.schema.alterTable("operators").dropColumn("failed_logins").execute();
      await db.schema.alterTable("operators").dropColumn("locked_until").execute();
    },
  };
}
