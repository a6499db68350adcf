import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

/**
 * Signed checkpoints of the object history's head: how many entries it held and the last
 * entry's MAC, signed with a key that is kept outside the database. They let `audit verify`
 * see entries removed from the end, which the chain alone cannot show.
 */
export function auditCheckpoints(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("audit_checkpoints")
        .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("entries", "bigint", (c) => c.notNull())
        .addColumn("last_seq", "bigint", (c) => c.notNull())
        .addColumn("last_mac", "text", (c) => c.notNull())
        .addColumn("signature", "text", (c) => c.notNull())
        .execute();
    },
  };
}
