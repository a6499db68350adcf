import type { Kysely } from "kysely";

/**
 * Logon (issue 11): a user's Windows security identifier, written into logon certificates for
 * strong mapping. A SID names one account, so no two users share one (many have none).
 */
export async function userSid(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("sid", "text").execute();
  await db.schema.createIndex("users_sid_unique").on("users").column("sid").unique().execute();
}
