import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { planNodes, postgresPlans } from "../test-support/postgres-plans.js";
import { insertHolderWithCards, storeForSuite } from "../test-support/store.js";
import { findCardTokenState, insertCardTokens, takeCardTokenDownload } from "./card-tokens.js";

const at = "2026-01-01T00:00:00.000Z";

describe.each(dialects)("a chunk's software tokens on %s", (dialect) => {
  const suite = storeForSuite(dialect, async (db) => {
    await insertHolderWithCards(db, { userId: "u1", count: 50, numberFrom: 10_000, at });
    // c1 changed twice since it was inserted: its token keeps the version it has now.
    await db.updateTable("cards").set({ version: 3 }).where("id", "=", "c1").execute();
  });

  it("stores each token's bytes as made, with its card's version and its batch", async () => {
    // Every byte value, zeros and bytes that are no text among them.
    const tokens = Array.from({ length: 50 }, (_, i) => ({
      cardId: `c${i}`,
      token: Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, b) => b)), randomBytes(i)]),
    }));
    await insertCardTokens(suite.db, "b1", tokens, at);
    expect(await findCardTokenState(suite.db, "c1")).toEqual({ downloads: 0, cardVersion: 3, batchId: "b1" });
    expect(await findCardTokenState(suite.db, "c2")).toEqual({ downloads: 0, cardVersion: 1, batchId: "b1" });
    for (const { cardId, token } of tokens)
      expect(await takeCardTokenDownload(suite.db, cardId, 1)).toEqual({ token, downloads: 1 });
  });
});

describe.runIf(dialects.includes("postgres"))("a chunk's software tokens on PostgreSQL", () => {
  const suite = storeForSuite("postgres", (db) =>
    insertHolderWithCards(db, { userId: "u1", count: 50, numberFrom: 10_000, at }),
  );

  // Each token's version was once a subquery of its own, which PostgreSQL planned one by one.
  it("reads the cards' versions in one scan", async () => {
    const tokens = Array.from({ length: 50 }, (_, i) => ({ cardId: `c${i}`, token: randomBytes(64) }));
    const [plan, ...more] = await postgresPlans(suite.db, (trx) => insertCardTokens(trx, "b1", tokens, at));
    expect(more).toEqual([]);
    const scans = planNodes(plan!).filter((node) => node["Relation Name"] === "cards");
    expect(scans).toHaveLength(1);
  });

  // A two-key PKCS#12 token is ≈ 3.1 KB of ciphertext. Above 2 KB PostgreSQL tried to compress
  // each (in vain) and moved it to the TOAST table: a second heap and index insert a card.
  it("keeps each token in its row, where it is neither compressed nor moved out", async () => {
    const tokens = Array.from({ length: 50 }, (_, i) => ({ cardId: `c${i}`, token: randomBytes(3_200) }));
    await insertCardTokens(suite.db, "b1", tokens, at);
    const { rows } = await sql<{ toasted: number; inline: number }>`
      select pg_relation_size(c.reltoastrelid) as toasted,
             (select count(*) from card_tokens where pg_column_size(token) > length(token)) as inline
        from pg_class c where c.oid = 'card_tokens'::regclass`.execute(suite.db);
    expect(rows).toEqual([{ toasted: 0, inline: 50 }]);
  });
});
