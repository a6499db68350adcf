import type { PendingChangeKind, PendingChangeState } from "../domain/four-eyes-rules.js";
import type { PendingChange } from "../domain/pending-change.js";
import type { Db } from "./database.js";
import type { PendingChangeTable } from "./schema.js";

export interface PendingChangeWithSecret extends PendingChange {
  passwordHash: string | null;
}

function toPendingChange(row: PendingChangeTable): PendingChangeWithSecret {
  return {
    id: row.id,
    kind: row.kind as PendingChangeKind,
    objectId: row.object_id,
    change: JSON.parse(row.change) as Record<string, unknown>,
    rules: JSON.parse(row.rules) as string[],
    state: row.state as PendingChangeState,
    proposedBy: row.proposed_by,
    proposedByName: row.proposed_by_name,
    proposedAt: row.proposed_at,
    decidedBy: row.decided_by,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at,
    passwordHash: row.password_hash,
  };
}

export function withoutSecret({ passwordHash: _, ...change }: PendingChangeWithSecret): PendingChange {
  return change;
}

export async function insertPendingChange(
  db: Db,
  change: {
    id: string;
    kind: PendingChangeKind;
    objectId: string | null;
    change: Record<string, unknown>;
    passwordHash: string | null;
    rules: string[];
    proposedBy: { id: string; username: string };
    at: string;
  },
): Promise<void> {
  await db
    .insertInto("pending_changes")
    .values({
      id: change.id,
      kind: change.kind,
      object_id: change.objectId,
      change: JSON.stringify(change.change),
      password_hash: change.passwordHash,
      rules: JSON.stringify(change.rules),
      state: "pending",
      proposed_by: change.proposedBy.id,
      proposed_by_name: change.proposedBy.username,
      proposed_at: change.at,
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
    })
    .execute();
}

export async function findPendingChangeById(
  db: Db,
  id: string,
): Promise<PendingChangeWithSecret | undefined> {
  const row = await db.selectFrom("pending_changes").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toPendingChange(row);
}

/** Pending changes first (oldest first), then the latest decided ones. */
export async function listPendingChanges(
  db: Db,
  filter: { state?: PendingChangeState | undefined; limit: number },
): Promise<PendingChange[]> {
  let query = db.selectFrom("pending_changes").selectAll();
  if (filter.state) query = query.where("state", "=", filter.state);
  const rows = await query
    .orderBy((eb) => eb.case().when("state", "=", "pending").then(0).else(1).end())
    .orderBy("proposed_at", "desc")
    .orderBy("id")
    .limit(filter.limit)
    .execute();
  return rows.map((row) => withoutSecret(toPendingChange(row)));
}

/**
 * Decides a pending change once. Returns false when it was not pending any more (decided by
 * someone else meanwhile): the caller's check and this write cannot both pass twice.
 */
export async function decidePendingChange(
  db: Db,
  id: string,
  decision: { state: "approved" | "rejected"; by: { id: string; username: string }; at: string },
): Promise<boolean> {
  const result = await db
    .updateTable("pending_changes")
    .set({
      state: decision.state,
      decided_by: decision.by.id,
      decided_by_name: decision.by.username,
      decided_at: decision.at,
      // A decided change never needs the password again.
      password_hash: null,
    })
    .where("id", "=", id)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
