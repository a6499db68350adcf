import type { Kysely } from "kysely";
import { createIndexes, createTable } from "./table-definitions.js";

/**
 * Login throttling instead of a lock (issue 8, finding 7): failed logins counted per username
 * and address, per username and per address, in the database so that a restart or a second
 * Tessera on the same PostgreSQL sees them. The operators' own lock columns go: a lock that
 * anyone can trigger by guessing is what this replaces.
 */
export async function loginThrottle(db: Kysely<unknown>): Promise<void> {
  await createTable(db, "login_throttle", {
    username: "text not null",
    address: "text not null",
    failures: "integer not null",
    last_failure_at: "text not null",
    delayed_until: "text",
  })
    .addPrimaryKeyConstraint("login_throttle_pk", ["username", "address"])
    .execute();
  await createIndexes(db, "login_throttle", { login_throttle_last_failure: ["last_failure_at"] });
  await db.schema.alterTable("operators").dropColumn("failed_logins").execute();
  await db.schema.alterTable("operators").dropColumn("locked_until").execute();
}
