import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";
import { createTable, serialPrimaryKey } from "./table-definitions.js";

/**
 * Signed checkpoints of the object history's head: how many entries it held and the last
 * entry's MAC, signed with a key that is kept outside the database. They let `audit verify`
 * see entries removed from the end, which the chain alone cannot show.
 */
export async function auditCheckpoints(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await createTable(db, "audit_checkpoints", {
    id: serialPrimaryKey(dialect),
    at: "text not null",
    entries: "bigint not null",
    last_seq: "bigint not null",
    last_mac: "text not null",
    signature: "text not null",
  }).execute();
}
