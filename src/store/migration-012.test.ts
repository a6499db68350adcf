import { sql } from "kysely";
import { expect } from "vitest";
import { describeUpgrade, insertOldBatch, insertOldUser } from "../test-support/migration-upgrade.js";
import { reserveSequence } from "./sequences.js";

/**
 * Migration 012 on a database that already ran batches: each batch gets a number in the order the
 * batches were made (ties by id), and the batches made afterwards go on from the last of them.
 * Users made before have no name on card (their cards show the legal name, as before).
 */
describeUpgrade(
  "012-names-and-batch-numbers",
  "earlier batches",
  "numbers the earlier batches by when they were made and goes on after them",
  async ({ db, store, migrate, at }) => {
    await insertOldUser(db, { id: "u1", firstName: "Ann", lastName: "Old" }, at);
    for (const [id, createdAt] of [
      ["b-z", "2026-01-02T00:00:00.000Z"],
      ["b-y", "2026-01-03T00:00:00.000Z"],
      ["b-b", "2026-01-01T00:00:00.000Z"],
      ["b-a", "2026-01-01T00:00:00.000Z"],
    ] as const)
      await insertOldBatch(db, { id, process: "CardsBoProcIssueMultiple", createdAt, total: 1 });

    await migrate();
    const batches = await sql<{
      id: string;
      number: number;
    }>`select id, number from batches order by number`.execute(db);
    expect(batches.rows.map((b) => [b.id, Number(b.number)])).toEqual([
      ["b-a", 1],
      ["b-b", 2],
      ["b-z", 3],
      ["b-y", 4],
    ]);
    expect(await reserveSequence(store, "batch-number")).toBe(5);
    const users = await sql<{ name_on_card: string | null }>`select name_on_card from users`.execute(db);
    expect(users.rows).toEqual([{ name_on_card: null }]);
    // Two batches never share a number.
    await expect(
      sql`insert into batches (id, number, process, state, options, created_by, created_by_name, created_at, updated_at, total, chunks)
          values ('b-dup', 1, 'CardsBoProcIssueMultiple', 'completed', '{}', 'admin', 'admin', ${at}, ${at}, 1, 1)`.execute(
        db,
      ),
    ).rejects.toThrow();
  },
);
