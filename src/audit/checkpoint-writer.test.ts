import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { createCheckpointWriter } from "./checkpoint-writer.js";

describe.each(dialects)("the checkpoint writer on %s", (dialect) => {
  let t: TestApp;
  const logged: { level: number; msg: string }[] = [];
  const log = pino({ level: "error" }, { write: (line: string) => logged.push(JSON.parse(line)) });
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.login("admin");
  });
  afterAll(() => t.close());

  const checkpointRows = () => t.app.services.store.db.selectFrom("audit_checkpoints").selectAll().execute();

  it("signs a checkpoint by timer when there are new entries, and one more when stopped", async () => {
    const { audit, store } = t.app.services;
    const writer = createCheckpointWriter({ audit, db: store.db, clock: t.clock, log, intervalMs: 25 });
    writer.start();
    const deadline = Date.now() + 10_000;
    while ((await checkpointRows()).length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await checkpointRows()).toHaveLength(1);
    // The file in the data folder keeps the newest.
    const file = path.join(t.app.config.dataDir, "audit-checkpoint.json");
    expect(existsSync(file)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await checkpointRows()).toHaveLength(1);
    await t.login("admin");
    await writer.stop();
    const rows = await checkpointRows();
    expect(rows).toHaveLength(2);
    expect(JSON.parse(readFileSync(file, "utf8")).entries).toBe(Number(rows[1]!.entries));
    expect(await audit.verify(store.db)).toMatchObject({
      valid: true,
      lastCheckpoint: { entries: Number(rows[1]!.entries) },
    });
    expect(logged).toEqual([]);
  });

  it("logs an error and signs nothing while entries confirmed by a checkpoint are missing", async () => {
    const { audit, store } = t.app.services;
    await sql`delete from audit_log where seq = (select max(seq) from audit_log)`.execute(store.db);
    await t.login("admin");
    const writer = createCheckpointWriter({ audit, db: store.db, clock: t.clock, log });
    await writer.stop();
    expect(await checkpointRows()).toHaveLength(2);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toMatch(
      /^the object history is broken: .*which is gone.*; no checkpoint is signed over it$/,
    );
    // A finding in a sentence, not a stack trace.
    expect(logged[0]).not.toHaveProperty("err");
  });
});
