import { sql } from "kysely";
import { expect } from "vitest";
import {
  describeUpgrade,
  insertOldBatch,
  insertOldTemplate,
  insertOldUser,
} from "../test-support/migration-upgrade.js";

/**
 * Migration 008 on a database that already produced cards: each card learns the batch that
 * last took it, and each token the batch that made it (its downloads start at 0, its card
 * version unknown), from the batch items the earlier batches left.
 */
describeUpgrade(
  "008-downloads-batch-link",
  "earlier batches",
  "fills in each card's last batch and each token's batch",
  async ({ db, migrate, at }) => {
    await insertOldUser(
      db,
      { id: "u1", identifier: "U-1", firstName: "Ann", lastName: "Old", email: "ann@example.org" },
      at,
    );
    await insertOldTemplate(db, at);
    for (const [id, state] of [
      ["c1", "active"],
      ["c2", "issued"],
      ["c3", "approved"],
    ])
      await sql`insert into cards (id, card_number, user_id, template, state, holder_name, holder_key, version, requested_by, requested_at, updated_at)
                values (${id}, ${`N-${id}`}, 'u1', 'Employee ID', ${state}, 'Ann Old', 'old ann', 3, 'admin', ${at}, ${at})`.execute(
        db,
      );
    await insertOldBatch(db, {
      id: "issue",
      process: "CardsBoProcIssueMultiple",
      createdAt: "2026-01-02T00:00:00.000Z",
      total: 2,
    });
    await insertOldBatch(db, {
      id: "activate",
      process: "CardsBoProcActivateMultiple",
      createdAt: "2026-01-03T00:00:00.000Z",
      total: 2,
    });
    const item = async (batchId: string, cardId: string, seq: number) =>
      sql`insert into batch_items (batch_id, card_id, seq, chunk, state, updated_at)
          values (${batchId}, ${cardId}, ${seq}, 1, 'done', ${at})`.execute(db);
    await item("issue", "c1", 1);
    await item("issue", "c2", 2);
    await item("activate", "c1", 1);
    for (const cardId of ["c1", "c2"])
      await sql`insert into card_tokens (card_id, token, created_at) values (${cardId}, ${Buffer.from("p12")}, ${at})`.execute(
        db,
      );

    await migrate();
    const cards = await sql<{ id: string; last_batch_id: string | null }>`
      select id, last_batch_id from cards order by id`.execute(db);
    expect(cards.rows).toEqual([
      { id: "c1", last_batch_id: "activate" },
      { id: "c2", last_batch_id: "issue" },
      { id: "c3", last_batch_id: null },
    ]);
    const tokens = await sql<{
      card_id: string;
      batch_id: string;
      downloads: number;
      card_version: number | null;
    }>`
      select card_id, batch_id, downloads, card_version from card_tokens order by card_id`.execute(db);
    expect(tokens.rows.map((r) => ({ ...r, downloads: Number(r.downloads) }))).toEqual([
      { card_id: "c1", batch_id: "issue", downloads: 0, card_version: null },
      { card_id: "c2", batch_id: "issue", downloads: 0, card_version: null },
    ]);
  },
);
