import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";

/** Operators, sessions, users, card templates, cards and the object history. */
export function foundation(dialect: Dialect) {
  const blob = dialect === "postgres" ? "bytea" : "blob";
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("operators")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("roles", "text", (c) => c.notNull())
        .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("locked_until", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("operator_id", "text", (c) => c.notNull().references("operators.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("revoked_at", "text")
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("operator_id", "text", (c) => c.notNull().references("operators.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_operator").on("sessions").column("operator_id").execute();

      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("identifier", "text", (c) => c.notNull())
        .addColumn("first_name", "text", (c) => c.notNull())
        .addColumn("last_name", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("organizational_unit", "text")
        .addColumn("organization", "text")
        .addColumn("title", "text")
        .addColumn("upn", "text")
        .addColumn("address", "text")
        .addColumn("photo", sql.raw(blob))
        .addColumn("photo_type", "text")
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("search_name", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addUniqueConstraint("users_identifier_unique", ["identifier"])
        .execute();
      await db.schema
        .createIndex("users_name")
        .on("users")
        .columns(["last_name", "first_name", "id"])
        .execute();
      await db.schema.createIndex("users_search").on("users").columns(["search_name", "id"]).execute();

      await db.schema
        .createTable("card_templates")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("process_options")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("options", "text", (c) => c.notNull())
        .addColumn("updated_by", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("cards")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("card_number", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("template", "text", (c) => c.notNull().references("card_templates.name"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("holder_name", "text", (c) => c.notNull())
        .addColumn("holder_key", "text", (c) => c.notNull())
        .addColumn("organizational_unit", "text")
        .addColumn("batch_id", "text")
        .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requested_at", "text", (c) => c.notNull())
        .addColumn("decided_by", "text")
        .addColumn("decided_at", "text")
        .addColumn("reason", "text")
        .addColumn("puk_encrypted", "text")
        .addColumn("issued_at", "text")
        .addColumn("expires_at", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addUniqueConstraint("cards_card_number_unique", ["card_number"])
        .execute();
      // The indexes that keep "Search approved cards" fast at a million cards (DEPENDENCIES.md).
      await db.schema
        .createIndex("cards_state_requested")
        .on("cards")
        .columns(["state", "requested_at", "id"])
        .execute();
      await db.schema
        .createIndex("cards_state_template_requested")
        .on("cards")
        .columns(["state", "template", "requested_at", "id"])
        .execute();
      await db.schema.createIndex("cards_user").on("cards").columns(["user_id", "state"]).execute();
      await db.schema.createIndex("cards_holder_key").on("cards").columns(["holder_key", "id"]).execute();
      await db.schema
        .createIndex("cards_batch")
        .on("cards")
        .column("batch_id")
        .where(sql.ref("batch_id"), "is not", null)
        .execute();

      await db.schema
        .createTable("sequences")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "bigint", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("audit_log")
        .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("operator_id", "text")
        .addColumn("operator_name", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("object_type", "text")
        .addColumn("object_id", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("details", "text", (c) => c.notNull())
        .addColumn("prev_mac", "text", (c) => c.notNull())
        .addColumn("mac", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("audit_object")
        .on("audit_log")
        .columns(["object_type", "object_id", "seq"])
        .execute();
      await db.schema.createIndex("audit_operator").on("audit_log").columns(["operator_id", "seq"]).execute();
    },
  };
}
