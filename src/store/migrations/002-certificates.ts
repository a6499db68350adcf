import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/** The CA, its OCSP responder, every certificate it issued, and the CRLs it published. */
export function certificates(dialect: Dialect) {
  const blob = sql.raw(dialect === "postgres" ? "bytea" : "blob");
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row: the CA in use (id 1). Its private key is encrypted PKCS#8, or absent when it
      // lives in a PKCS#11 token.
      await db.schema
        .createTable("certificate_authority")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("certificate", blob, (c) => c.notNull())
        .addColumn("private_key", "text")
        .addColumn("chain", "text", (c) => c.notNull())
        .addColumn("responder_certificate", blob, (c) => c.notNull())
        .addColumn("responder_private_key", "text", (c) => c.notNull())
        .addColumn("responder_not_after", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("certificates")
        .addColumn("serial", "text", (c) => c.primaryKey())
        .addColumn("card_id", "text", (c) => c.references("cards.id"))
        .addColumn("profile", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("der", blob, (c) => c.notNull())
        .addColumn("not_before", "text", (c) => c.notNull())
        .addColumn("not_after", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("revocation_reason", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("certificates_card").on("certificates").column("card_id").execute();
      await db.schema
        .createIndex("certificates_state")
        .on("certificates")
        .columns(["state", "serial"])
        .execute();

      await db.schema
        .createTable("crls")
        .addColumn("number", "bigint", (c) => c.primaryKey())
        .addColumn("this_update", "text", (c) => c.notNull())
        .addColumn("next_update", "text", (c) => c.notNull())
        /** The certificate-status change count this CRL reflects: older than the count means stale. */
        .addColumn("status_version", "bigint", (c) => c.notNull())
        .addColumn("entries", "integer", (c) => c.notNull())
        .addColumn("der", blob, (c) => c.notNull())
        .execute();
    },
  };
}
