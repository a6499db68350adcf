import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { databaseBeforeMigration, insertOldBatch, insertOldUser } from "../test-support/migration-upgrade.js";
import type { Db } from "./database.js";
import { reserveSequence } from "./sequences.js";

/**
 * Migration 012 on a database that already ran batches: each batch gets a number in the order the
 * batches were made (ties by id), and the batches made afterwards go on from the last of them.
 * Users made before have no name on card (their cards show the legal name, as before).
 */
describe.each(dialects)("migration 012 on a database with earlier batches on %s", (dialect) => {
  const openBeforeMigration = databaseBeforeMigration(dialect, "012-names-and-batch-numbers");

  it("numbers the earlier batches by when they were made and goes on after them", async () => {
    const { db, migrate } = await openBeforeMigration();

    const at = "2026-01-01T00:00:00.000Z";
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
    expect(await reserveSequence(db as unknown as Db, "batch-number")).toBe(5);
    const users = await sql<{ name_on_card: string | null }>`select name_on_card from users`.execute(db);
    expect(users.rows).toEqual([{ name_on_card: null }]);
    // Two batches never share a number.
    await expect(
      sql`insert into batches (id, number, process, state, options, created_by, created_by_name, created_at, updated_at, total, chunks)
          values ('b-dup', 1, 'CardsBoProcIssueMultiple', 'completed', '{}', 'admin', 'admin', ${at}, ${at}, 1, 1)`.execute(
        db,
      ),
    ).rejects.toThrow();
  });
});
