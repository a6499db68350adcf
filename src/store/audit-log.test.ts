import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { type AuditLog, createAuditLog, findHistoryOf, searchAudit } from "./audit-log.js";
import { openStore, type Store } from "./database.js";

describe.each(dialects)("object history on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let audit: AuditLog;
  const operator = { id: "op-1", username: "alice" };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    audit = createAuditLog({ dialect, key: Buffer.alloc(32, 1) });
    for (let i = 0; i < 12; i++)
      await audit.append(
        store.db,
        [
          {
            action: "CardsProcApprove",
            objectType: "card",
            objectId: `card-${i % 3}`,
            outcome: "success",
            operator,
            details: { i },
          },
        ],
        `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
      );
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("verifies an untouched chain", async () => {
    expect(await audit.verify(store.db)).toEqual({ valid: true, entries: 12 });
  });

  it("commits and rolls back with the change it records", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await audit.append(trx, [{ action: "x", outcome: "success" }], "2026-01-01T01:00:00.000Z");
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await searchAudit(store.db, { action: "x" }, { limit: 10 })).total).toBe(0);
  });

  it("pages newest first and reads one object's timeline oldest first", async () => {
    const first = await searchAudit(store.db, {}, { limit: 5 });
    expect(first.total).toBe(12);
    expect(first.items.map((e) => e.details.i)).toEqual([11, 10, 9, 8, 7]);
    const second = await searchAudit(store.db, {}, { cursor: first.nextCursor!, limit: 5 });
    expect(second.items.map((e) => e.details.i)).toEqual([6, 5, 4, 3, 2]);
    const timeline = await findHistoryOf(store.db, "card", "card-1");
    expect(timeline.map((e) => e.details.i)).toEqual([1, 4, 7, 10]);
  });

  it("names the first entry whose content was changed, and one after a removed entry", async () => {
    const rows = await store.db.selectFrom("audit_log").select("seq").orderBy("seq").execute();
    const fifth = rows[4]!.seq;
    await sql`update audit_log set details = '{"i":99}' where seq = ${fifth}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: { seq: fifth, reason: expect.stringContaining("content") },
    });

    const other = createAuditLog({ dialect, key: Buffer.alloc(32, 2) });
    expect((await other.verify(store.db)).firstBroken?.seq).toBe(rows[0]!.seq);

    await sql`delete from audit_log where seq = ${fifth}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: { seq: rows[5]!.seq, reason: expect.stringContaining("removed") },
    });
  });
});
