import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";
import { blobType, createIndexes, createTable } from "./table-definitions.js";

/** The CA, its OCSP responder, every certificate it issued, and the CRLs it published. */
export async function certificates(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const blob = blobType(dialect);
  // One row: the CA in use (id 1). Its private key is encrypted PKCS#8, or absent when it
  // lives in a PKCS#11 token.
  await createTable(db, "certificate_authority", {
    id: "integer primary key",
    certificate: `${blob} not null`,
    private_key: "text",
    chain: "text not null",
    responder_certificate: `${blob} not null`,
    responder_private_key: "text not null",
    responder_not_after: "text not null",
    created_at: "text not null",
    updated_at: "text not null",
  }).execute();

  await createTable(db, "certificates", {
    serial: "text primary key",
    card_id: "text references cards.id",
    profile: "text not null",
    subject: "text not null",
    state: "text not null",
    der: `${blob} not null`,
    not_before: "text not null",
    not_after: "text not null",
    revoked_at: "text",
    revocation_reason: "text",
    created_at: "text not null",
    updated_at: "text not null",
  }).execute();
  await createIndexes(db, "certificates", {
    certificates_card: ["card_id"],
    certificates_state: ["state", "serial"],
  });

  await createTable(db, "crls", {
    number: "bigint primary key",
    this_update: "text not null",
    next_update: "text not null",
    /** The certificate-status change count this CRL reflects: older than the count means stale. */
    status_version: "bigint not null",
    entries: "integer not null",
    der: `${blob} not null`,
  }).execute();
}
