import type { Kysely } from "kysely";
import { createIndexes, createTable } from "./table-definitions.js";

/**
 * Changes that wait for a second administrator (issue 8: nobody decides alone): a weakened
 * four-eyes rule in the process options, or a new enabled administrator. One row per proposal;
 * it is decided once, by someone else than who proposed it.
 */
export async function pendingChanges(db: Kysely<unknown>): Promise<void> {
  await createTable(db, "pending_changes", {
    id: "text primary key",
    kind: "text not null",
    object_id: "text",
    change: "text not null",
    password_hash: "text",
    rules: "text not null",
    state: "text not null",
    proposed_by: "text not null",
    proposed_by_name: "text not null",
    proposed_at: "text not null",
    decided_by: "text",
    decided_by_name: "text",
    decided_at: "text",
  }).execute();
  await createIndexes(db, "pending_changes", { pending_changes_state: ["state", "proposed_at"] });
}
