import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `tessera audit verify` as an operator runs it: the built command line as a real process
 * against a SQLite data folder, tampered with directly in the database file.
 */
const cli = path.resolve("dist/cli/main.js");
const folders: string[] = [];

function tessera(dataDir: string, args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TESSERA_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    TESSERA_DEMO: "false",
  };
  // A generated first administrator's password; none from the caller's environment.
  delete env.TESSERA_ADMIN_PASSWORD;
  return spawnSync("node", [cli, ...args], { env, encoding: "utf8", timeout: 60_000 });
}

/** A data folder whose history holds a few entries and a checkpoint signed at the last shutdown. */
function prepareDataFolder(): { dataDir: string; seqs: number[]; sql(statement: string): void } {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-audit-cli-"));
  folders.push(dataDir);
  for (const username of ["carol", "dave"]) {
    const created = tessera(dataDir, ["operators", "create", "--username", username, "--roles", "auditor"]);
    expect(created.status, created.stderr).toBe(0);
  }
  const file = path.join(dataDir, "tessera.sqlite");
  const read = new Database(file);
  const seqs = read
    .prepare("select seq from audit_log order by seq")
    .all()
    .map((row) => (row as { seq: number }).seq);
  read.close();
  return {
    dataDir,
    seqs,
    sql(statement) {
      const db = new Database(file);
      db.exec(statement);
      db.close();
    },
  };
}

describe("tessera audit verify", () => {
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("confirms an untouched history and the checkpoint signed at the last shutdown (kept 0600)", () => {
    const { dataDir, seqs } = prepareDataFolder();
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(statSync(path.join(dataDir, "audit-checkpoint.json")).mode & 0o777).toBe(0o600);
    const ok = tessera(dataDir, ["audit", "verify"]);
    expect([ok.status, ok.stdout]).toEqual([
      0,
      expect.stringMatching(
        new RegExp(
          `^The object history is intact: ${seqs.length} entries verified\\. The checkpoint of \\S+ confirmed ${seqs.length} of them\\.\\n$`,
        ),
      ),
    ]);
  });

  it("finds an edited entry", () => {
    const { dataDir, seqs, sql } = prepareDataFolder();
    sql(`update audit_log set operator_name = 'mallory' where seq = ${seqs[1]}`);
    const result = tessera(dataDir, ["audit", "verify"]);
    expect([result.status, result.stdout]).toEqual([
      1,
      `The object history is BROKEN at entry ${seqs[1]}: the entry's content was changed.\n`,
    ]);
  });

  it("finds a removed entry in the middle", () => {
    const { dataDir, seqs, sql } = prepareDataFolder();
    sql(`delete from audit_log where seq = ${seqs[1]}`);
    const result = tessera(dataDir, ["audit", "verify"]);
    expect([result.status, result.stdout]).toEqual([
      1,
      `The object history is BROKEN at entry ${seqs[2]}: the entry before it was changed, removed or reordered.\n`,
    ]);
  });

  it("finds the newest entries removed after a checkpoint", () => {
    const { dataDir, seqs, sql } = prepareDataFolder();
    const last = seqs.at(-1)!;
    sql(`delete from audit_log where seq = ${last}`);
    const result = tessera(dataDir, ["audit", "verify"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^The object history is BROKEN at entry ${last}: entries were removed from the end: the checkpoint of \\S+ confirmed ${seqs.length} entries, the history holds ${seqs.length - 1}\\.\\n$`,
      ),
    );
  });

  it("finds an emptied history, even with the checkpoints emptied too", () => {
    const { dataDir, seqs, sql } = prepareDataFolder();
    sql("delete from audit_log; delete from audit_checkpoints;");
    const result = tessera(dataDir, ["audit", "verify"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^The object history is BROKEN at entry ${seqs.at(-1)}: all entries were removed: the checkpoint of \\S+ kept in the data folder confirmed ${seqs.length} entries\\.\\n$`,
      ),
    );
  });
});
