import type { Db } from "./database.js";

export interface SessionRow {
  id: string;
  operatorId: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** A session as login opens it: seen last at the moment it was created. */
export interface NewSession {
  id: string;
  operatorId: string;
  at: string;
  expiresAt: string;
}

export async function insertSession(db: Db, session: NewSession): Promise<void> {
  await db
    .insertInto("sessions")
    .values({
      id: session.id,
      operator_id: session.operatorId,
      created_at: session.at,
      last_seen_at: session.at,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function findSession(db: Db, id: string): Promise<SessionRow | undefined> {
  const row = await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
  return (
    row && {
      id: row.id,
      operatorId: row.operator_id,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
    }
  );
}

export async function touchSession(db: Db, id: string, at: string, expiresAt: string): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: at, expires_at: expiresAt })
    .where("id", "=", id)
    .execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", id).execute();
}

export async function deleteSessionsOfOperator(db: Db, operatorId: string): Promise<void> {
  await db.deleteFrom("sessions").where("operator_id", "=", operatorId).execute();
}

export async function deleteExpiredSessions(db: Db, now: string): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<", now).execute();
}
