import type { Kysely } from "kysely";
import { createIndexes, createTable } from "./table-definitions.js";

/**
 * The holder activates their own card (issue 12): a card's one-time code, kept only as a hash,
 * with its end, its wrong tries and when it was used; and every try from an address, so that one
 * address cannot guess its way through many cards.
 */
export async function activationCodes(db: Kysely<unknown>): Promise<void> {
  await createTable(db, "activation_codes", {
    card_id: "text primary key references cards.id",
    code_hash: "text not null",
    expires_at: "text not null",
    failed_tries: "integer default 0 not null",
    used_at: "text",
    created_at: "text not null",
  }).execute();
  await createTable(db, "activation_attempts", {
    address: "text not null",
    at: "text not null",
  }).execute();
  await createIndexes(db, "activation_attempts", { activation_attempts_address: ["address", "at"] });
}
