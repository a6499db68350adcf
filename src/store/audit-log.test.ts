import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, dialects, type TestDatabase } from "../test-support/databases.js";
import { storeForSuite } from "../test-support/store.js";
import { type AuditLog, createAuditLog, findHistoryOf, searchAudit } from "./audit-log.js";
import { type Dialect, openStore, type Store } from "./database.js";

/**
 * An object history under fixed test keys: `chainKey` (a byte repeated) seals the chain, another
 * key signs the checkpoints, written also to `checkpointFile` if given.
 */
const testAuditLog = (dialect: Dialect, chainKey = 1, checkpointFile?: string) =>
  createAuditLog({
    dialect,
    key: Buffer.alloc(32, chainKey),
    checkpoints: { key: Buffer.alloc(32, 3), file: checkpointFile },
  });

describe.each(dialects)("object history on %s", (dialect) => {
  const audit = testAuditLog(dialect);
  const operator = { id: "op-1", username: "alice" };
  const store = storeForSuite(dialect, async (db) => {
    for (let i = 0; i < 12; i++)
      await audit.append(
        db,
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

    const other = testAuditLog(dialect, 2);
    expect((await other.verify(store.db)).firstBroken?.seq).toBe(rows[0]!.seq);

    await sql`delete from audit_log where seq = ${fifth}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: { seq: rows[5]!.seq, reason: expect.stringContaining("removed") },
    });
  });
});

describe.each(dialects)("text the object history cannot store as given, on %s", (dialect) => {
  const audit = testAuditLog(dialect);
  const store = storeForSuite(dialect);

  it("records lone surrogates and NUL in every text as well-formed text, and the chain still verifies", async () => {
    const odd = "a\ud800b\udfffc\u0000d";
    await audit.append(
      store.db,
      [
        {
          action: `CardsProcLock${odd}`,
          objectType: `card${odd}`,
          objectId: odd,
          outcome: "refused",
          operator: { id: `op${odd}`, username: `alice${odd}` },
          details: { [`key${odd}`]: odd, nested: [{ deep: odd }], n: 1 },
        },
        // A well-formed pair (an emoji) is stored as it is.
        { action: "x", objectId: "\ud83d\ude00", outcome: "success" },
      ],
      "2026-01-01T00:00:00.000Z",
    );
    expect(await audit.verify(store.db)).toEqual({ valid: true, entries: 2 });
    const [emoji, entry] = (await searchAudit(store.db, {}, { limit: 10 })).items;
    const shown = "a\ufffdb\ufffdc\u2400d";
    expect(entry).toMatchObject({
      action: `CardsProcLock${shown}`,
      objectType: `card${shown}`,
      objectId: shown,
      operatorId: `op${shown}`,
      operatorName: `alice${shown}`,
      details: { [`key${shown}`]: shown, nested: [{ deep: shown }], n: 1 },
    });
    expect(emoji!.objectId).toBe("\ud83d\ude00");
  });

  it("stores details as JSON writes them, text that only looks like an escape unchanged", async () => {
    const at = "2026-01-01T00:00:00.000Z";
    const details = [
      // Storable as it is: stored as JSON.stringify writes it.
      { plain: "text", when: new Date(at), gone: undefined, custom: { toJSON: () => "custom" }, n: -0 },
      // Escapes written as text, and a NUL beside such text.
      { text: String.raw`\u0000 \ud800`, list: [1, "y"] },
      { both: `\u0000|${String.raw`\u0000`}` },
      // A lone half alone, high and low.
      { high: "a\ud800" },
      { low: "\udfffb" },
    ];
    await audit.append(
      store.db,
      details.map((entry) => ({ action: "x", outcome: "success" as const, details: entry })),
      at,
    );
    const stored = await store.db.selectFrom("audit_log").select("details").orderBy("seq").execute();
    expect(stored.map((row) => row.details).slice(-details.length)).toEqual([
      `{"plain":"text","when":"2026-01-01T00:00:00.000Z","custom":"custom","n":0}`,
      String.raw`{"text":"\\u0000 \\ud800","list":[1,"y"]}`,
      `{"both":"\u2400|${String.raw`\\u0000`}"}`,
      `{"high":"a\ufffd"}`,
      `{"low":"\ufffdb"}`,
    ]);
    expect(await audit.verify(store.db)).toMatchObject({ valid: true });
  });

  it("refuses details that are no JSON, as it always did", async () => {
    const entry = { action: "x", outcome: "success" as const, details: { toJSON: () => undefined } };
    await expect(audit.append(store.db, [entry], "2026-01-01T00:00:00.000Z")).rejects.toThrow();
  });
});

describe.each(dialects)("signed checkpoints of the history's end on %s", (dialect) => {
  let database: TestDatabase;
  let store: Store;
  let dir: string;
  let file: string;
  let audit: AuditLog;
  const appendEntries = async (count: number, from = 0) => {
    for (let i = from; i < from + count; i++)
      await audit.append(
        store.db,
        [{ action: "CardsProcApprove", objectType: "card", objectId: `card-${i}`, outcome: "success" }],
        `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
      );
  };
  const seqs = async () =>
    (await store.db.selectFrom("audit_log").select("seq").orderBy("seq").execute()).map((r) => Number(r.seq));

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.settings);
    dir = mkdtempSync(path.join(tmpdir(), "tessera-checkpoint-"));
    file = path.join(dir, "audit-checkpoint.json");
    audit = testAuditLog(dialect, 1, file);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs nothing for an empty history, then the head: in the table and in a 0600 file, once per new head", async () => {
    expect(await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z")).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    await appendEntries(5);
    const [, , , , last] = await seqs();
    const checkpoint = await audit.writeCheckpoint(store.db, "2026-01-02T00:01:00.000Z");
    expect(checkpoint).toMatchObject({ at: "2026-01-02T00:01:00.000Z", entries: 5, lastSeq: last });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(checkpoint);
    // No new entries: no new checkpoint.
    expect(await audit.writeCheckpoint(store.db, "2026-01-02T00:02:00.000Z")).toEqual(checkpoint);
    expect(await store.db.selectFrom("audit_checkpoints").selectAll().execute()).toHaveLength(1);
    expect(await audit.verify(store.db)).toEqual({
      valid: true,
      entries: 5,
      lastCheckpoint: { at: "2026-01-02T00:01:00.000Z", entries: 5 },
    });
    await appendEntries(2, 5);
    expect(await audit.writeCheckpoint(store.db, "2026-01-02T00:03:00.000Z")).toMatchObject({ entries: 7 });
    expect(await store.db.selectFrom("audit_checkpoints").selectAll().execute()).toHaveLength(2);
    expect(JSON.parse(readFileSync(file, "utf8")).entries).toBe(7);
  });

  it("finds the newest entries removed after a checkpoint, names the checkpoint, and signs no new one over it", async () => {
    await appendEntries(6);
    const all = await seqs();
    await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    await sql`delete from audit_log where seq >= ${all[4]!}`.execute(store.db);
    const expected = {
      valid: false,
      entries: 4,
      firstBroken: {
        seq: all[5]!,
        reason:
          "entries were removed from the end: the checkpoint of 2026-01-02T00:00:00.000Z confirmed 6 entries, the history holds 4",
      },
    };
    expect(await audit.verify(store.db)).toEqual(expected);
    await expect(audit.writeCheckpoint(store.db, "2026-01-02T00:05:00.000Z")).rejects.toThrow(
      "entries were removed from the end",
    );
    // The checkpoint writer tells this refusal from others by its code.
    await expect(audit.writeCheckpoint(store.db, "2026-01-02T00:05:00.000Z")).rejects.toMatchObject({
      code: "audit.history_broken",
    });
    // Entries written after the cut form a valid chain, but the checkpoint's last entry is gone.
    await appendEntries(3, 10);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: { seq: all[5]!, reason: expect.stringContaining("which is gone") },
    });
  });

  it("finds the last confirmed entry replaced by another under the same number", async () => {
    await appendEntries(3);
    const all = await seqs();
    await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    await sql`delete from audit_log where seq = ${all[2]!}`.execute(store.db);
    await appendEntries(1, 20);
    await sql`update audit_log set seq = ${all[2]!} where seq > ${all[2]!}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      entries: 3,
      firstBroken: {
        seq: all[2]!,
        reason: `entry ${all[2]!} was replaced: the checkpoint of 2026-01-02T00:00:00.000Z confirmed 3 entries ending with another one`,
      },
    });
  });

  it("finds an emptied history and emptied checkpoints through the file in the data folder", async () => {
    await appendEntries(3);
    const all = await seqs();
    await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    await sql`delete from audit_log`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      entries: 0,
      firstBroken: {
        seq: all[2]!,
        reason: "all entries were removed: the checkpoint of 2026-01-02T00:00:00.000Z confirmed 3 entries",
      },
    });
    await sql`delete from audit_checkpoints`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: {
        reason:
          "all entries were removed: the checkpoint of 2026-01-02T00:00:00.000Z kept in the data folder confirmed 3 entries",
      },
    });
    // Without the file (another machine), nothing is left to tell: the limit of a local anchor.
    expect(await testAuditLog(dialect).verify(store.db)).toEqual({ valid: true, entries: 0 });
  });

  it("holds the history to the file when the newer checkpoints were deleted with the entries", async () => {
    await appendEntries(3);
    await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    await appendEntries(3, 3);
    await audit.writeCheckpoint(store.db, "2026-01-02T00:01:00.000Z");
    const all = await seqs();
    const [, newer] = await store.db.selectFrom("audit_checkpoints").select("id").orderBy("id").execute();
    await sql`delete from audit_checkpoints where id = ${newer!.id}`.execute(store.db);
    await sql`delete from audit_log where seq > ${all[2]!}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: {
        seq: all[5]!,
        reason: expect.stringContaining(
          "the checkpoint of 2026-01-02T00:01:00.000Z kept in the data folder confirmed 6 entries",
        ),
      },
    });
  });

  it("passes over checkpoints that do not verify: forged, altered, or signed with another key", async () => {
    await appendEntries(4);
    const all = await seqs();
    const head = await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    rmSync(file);
    // A database writer moves the checkpoint back to two entries: its signature no longer holds.
    await sql`update audit_checkpoints set entries = 2, last_seq = ${all[1]!}`.execute(store.db);
    const otherKey = createAuditLog({
      dialect,
      key: Buffer.alloc(32, 1),
      checkpoints: { key: Buffer.alloc(32, 4) },
    });
    await sql`delete from audit_log where seq > ${all[1]!}`.execute(store.db);
    await otherKey.writeCheckpoint(store.db, "2026-01-02T00:01:00.000Z");
    expect(await audit.verify(store.db)).toEqual({ valid: true, entries: 2 });
    // The honest checkpoint, put back, still tells.
    await sql`insert into audit_checkpoints (at, entries, last_seq, last_mac, signature)
              values (${head!.at}, ${head!.entries}, ${head!.lastSeq}, ${head!.lastMac}, ${head!.signature})`.execute(
      store.db,
    );
    expect((await audit.verify(store.db)).firstBroken?.reason).toContain("confirmed 4 entries");
    writeFileSync(file, "not json");
    expect((await audit.verify(store.db)).firstBroken?.reason).toContain("confirmed 4 entries");
  });

  it("signs one checkpoint when two writers (two Tessera processes) try at once", async () => {
    await appendEntries(3);
    const other = testAuditLog(dialect);
    const [mine, theirs] = await Promise.all([
      audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z"),
      other.writeCheckpoint(store.db, "2026-01-02T00:00:01.000Z"),
    ]);
    expect(await store.db.selectFrom("audit_checkpoints").selectAll().execute()).toHaveLength(1);
    expect(mine).toEqual(theirs);
  });

  it("reports the chain's own break before the checkpoint's", async () => {
    await appendEntries(4);
    const all = await seqs();
    await audit.writeCheckpoint(store.db, "2026-01-02T00:00:00.000Z");
    await sql`update audit_log set outcome = 'refused' where seq = ${all[1]!}`.execute(store.db);
    expect(await audit.verify(store.db)).toMatchObject({
      valid: false,
      firstBroken: { seq: all[1]!, reason: "the entry's content was changed" },
    });
  });
});
