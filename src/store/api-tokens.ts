import type { Db } from "./database.js";

export interface ApiToken {
  id: string;
  operatorId: string;
  name: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function insertApiToken(
  db: Db,
  token: { id: string; operatorId: string; name: string; tokenHash: string; createdBy: string; at: string },
): Promise<void> {
  await db
    .insertInto("api_tokens")
    .values({
      id: token.id,
      operator_id: token.operatorId,
      name: token.name,
      token_hash: token.tokenHash,
      created_by: token.createdBy,
      created_at: token.at,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findActiveApiTokenByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom("api_tokens")
    .select(["id", "operator_id as operatorId", "created_by as createdBy", "last_used_at as lastUsedAt"])
    .where("token_hash", "=", tokenHash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export async function markApiTokenUsed(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
}

const tokenColumns = [
  "id",
  "operator_id as operatorId",
  "name",
  "created_by as createdBy",
  "created_at as createdAt",
  "last_used_at as lastUsedAt",
  "revoked_at as revokedAt",
] as const;

export async function findApiTokenById(db: Db, id: string): Promise<ApiToken | undefined> {
  return db.selectFrom("api_tokens").select(tokenColumns).where("id", "=", id).executeTakeFirst();
}

/** Every token, or the tokens acting as one operator. */
export async function listApiTokens(db: Db, filter: { operatorId?: string } = {}): Promise<ApiToken[]> {
  let query = db.selectFrom("api_tokens").select(tokenColumns);
  if (filter.operatorId !== undefined) query = query.where("operator_id", "=", filter.operatorId);
  return query.orderBy("created_at", "desc").orderBy("id").execute();
}

export async function revokeApiToken(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: at })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
