import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.js";
import { blobType, createIndexes, createTable, serialPrimaryKey } from "./table-definitions.js";

/** Operators, sessions, users, card templates, cards and the object history. */
export async function foundation(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const blob = blobType(dialect);
  await createTable(db, "operators", {
    id: "text primary key",
    username: "text not null unique",
    password_hash: "text not null",
    roles: "text not null",
    disabled: "integer default 0 not null",
    failed_logins: "integer default 0 not null",
    locked_until: "text",
    created_at: "text not null",
    updated_at: "text not null",
  }).execute();

  await createTable(db, "api_tokens", {
    id: "text primary key",
    operator_id: "text not null references operators.id",
    name: "text not null",
    token_hash: "text not null unique",
    created_by: "text not null",
    created_at: "text not null",
    last_used_at: "text",
    revoked_at: "text",
  }).execute();

  await createTable(db, "sessions", {
    id: "text primary key",
    operator_id: "text not null references operators.id",
    created_at: "text not null",
    last_seen_at: "text not null",
    expires_at: "text not null",
  }).execute();
  await createIndexes(db, "sessions", { sessions_operator: ["operator_id"] });

  await createTable(db, "users", {
    id: "text primary key",
    identifier: "text not null",
    first_name: "text not null",
    last_name: "text not null",
    email: "text not null",
    organizational_unit: "text",
    organization: "text",
    title: "text",
    upn: "text",
    address: "text",
    photo: blob,
    photo_type: "text",
    state: "text not null",
    search_name: "text not null",
    created_by: "text not null",
    created_at: "text not null",
    updated_at: "text not null",
  })
    .addUniqueConstraint("users_identifier_unique", ["identifier"])
    .execute();
  await createIndexes(db, "users", {
    users_name: ["last_name", "first_name", "id"],
    users_search: ["search_name", "id"],
  });

  await createTable(db, "card_templates", {
    name: "text primary key",
    definition: "text not null",
    updated_at: "text not null",
  }).execute();

  await createTable(db, "process_options", {
    id: "integer primary key",
    options: "text not null",
    updated_by: "text",
    updated_at: "text not null",
  }).execute();

  await createTable(db, "cards", {
    id: "text primary key",
    card_number: "text not null",
    user_id: "text not null references users.id",
    template: "text not null references card_templates.name",
    state: "text not null",
    holder_name: "text not null",
    holder_key: "text not null",
    organizational_unit: "text",
    batch_id: "text",
    version: "integer default 1 not null",
    requested_by: "text not null",
    requested_at: "text not null",
    decided_by: "text",
    decided_at: "text",
    reason: "text",
    puk_encrypted: "text",
    issued_at: "text",
    expires_at: "text",
    updated_at: "text not null",
  })
    .addUniqueConstraint("cards_card_number_unique", ["card_number"])
    .execute();
  // The indexes that keep "Search approved cards" fast at a million cards (DEPENDENCIES.md).
  await createIndexes(db, "cards", {
    cards_state_requested: ["state", "requested_at", "id"],
    cards_state_template_requested: ["state", "template", "requested_at", "id"],
    cards_user: ["user_id", "state"],
    cards_holder_key: ["holder_key", "id"],
  });
  await db.schema
    .createIndex("cards_batch")
    .on("cards")
    .column("batch_id")
    .where(sql.ref("batch_id"), "is not", null)
    .execute();

  await createTable(db, "sequences", {
    name: "text primary key",
    value: "bigint not null",
  }).execute();

  await createTable(db, "audit_log", {
    seq: serialPrimaryKey(dialect),
    at: "text not null",
    operator_id: "text",
    operator_name: "text",
    action: "text not null",
    object_type: "text",
    object_id: "text",
    outcome: "text not null",
    details: "text not null",
    prev_mac: "text not null",
    mac: "text not null",
  }).execute();
  await createIndexes(db, "audit_log", {
    audit_object: ["object_type", "object_id", "seq"],
    audit_operator: ["operator_id", "seq"],
  });
}
