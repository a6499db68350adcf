import type { Kysely } from "kysely";

/**
 * The CA key in a PKCS#11 token (issue 10): where it lives, as JSON `{modulePath, tokenLabel,
 * keyId, pinVariable}`; `private_key` is null then. The PIN itself is never stored: only the name
 * of the environment variable that holds it.
 */
export async function tokenCa(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("certificate_authority").addColumn("key_in_token", "text").execute();
}
