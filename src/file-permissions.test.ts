import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { findLooseFiles } from "./file-permissions.js";
import { produceChunk } from "./production/produce-chunk.js";
import { createProductionContext } from "./production/production-context.js";
import { createTestInit, testCard, testJob } from "./production/test-kit.js";

/**
 * Finding 8 of issue 8: the data folder was created 0755 and the database 0644, so tokens,
 * unpurged PIN letters, password hashes and personal data were readable by every local user.
 * Now the folder is 0700, the database (with its -wal and -shm), the secrets and the part
 * files 0600, and a start names every file that is looser, without refusing to start.
 */
const mode = (file: string) => statSync(file).mode & 0o777;
const folders: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-modes-"));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** A logger whose JSON lines the test reads. */
function capturedLog() {
  const lines: { level: number; msg: string; file?: string }[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, warnings: () => lines.filter((l) => l.level === 40) };
}

describe("the data folder's permissions", () => {
  it("creates the data folder 0700 and the database, its WAL files and the secrets 0600, and warns of nothing", async () => {
    const cwd = fresh();
    const config = loadConfig({
      env: { TESSERA_DEMO: "false", TESSERA_PUBLIC_URL: "https://id.example.org", LOG_LEVEL: "silent" },
      cwd,
    });
    const { log, warnings } = capturedLog();
    const app = await createApp(config, { log });
    try {
      const dataDir = path.join(cwd, "data");
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, "secrets.json"))).toBe(0o600);
      for (const file of ["tessera.sqlite", "tessera.sqlite-wal", "tessera.sqlite-shm"])
        expect([file, mode(path.join(dataDir, file))]).toEqual([file, 0o600]);
      expect(warnings().filter((w) => w.msg.includes("readable by others"))).toEqual([]);
      expect(findLooseFiles(dataDir)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("names each looser file and folder in a warning at start, and starts anyway", async () => {
    const cwd = fresh();
    const env = { TESSERA_DEMO: "false", TESSERA_PUBLIC_URL: "https://id.example.org", LOG_LEVEL: "silent" };
    await (await createApp(loadConfig({ env, cwd }), { log: pino({ level: "silent" }) })).close();
    const dataDir = path.join(cwd, "data");
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, "tessera.sqlite"), 0o644);
    mkdirSync(path.join(dataDir, "work", "batch-1"), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dataDir, "work", "batch-1", "pin-letters-1.pdf"), "PIN: 123456", { mode: 0o640 });
    // The configuration file holds no secret: an operator may keep it readable.
    writeFileSync(path.join(dataDir, "tessera.json"), "{}", { mode: 0o644 });

    const { log, warnings } = capturedLog();
    const app = await createApp(loadConfig({ env, cwd }), { log });
    await app.close();
    const named = warnings()
      .filter((w) => w.msg.includes("readable by others"))
      .map((w) => w.file);
    expect(named).toEqual([
      dataDir,
      path.join(dataDir, "tessera.sqlite"),
      // SQLite gives the WAL files the database file's mode.
      path.join(dataDir, "tessera.sqlite-shm"),
      path.join(dataDir, "tessera.sqlite-wal"),
      path.join(dataDir, "work", "batch-1", "pin-letters-1.pdf"),
    ]);
    expect(warnings().find((w) => w.file === dataDir)?.msg).toContain("chmod 0700");
  });

  it("writes a chunk's print-file and PIN-letter parts 0600", async () => {
    const dir = fresh();
    const init = await createTestInit();
    const job = testJob(dir, 1, [testCard("Contractor badge")]);
    const result = await produceChunk(createProductionContext(init), job);
    expect(result.pages).toBe(1);
    expect(mode(job.pinLettersPath)).toBe(0o600);
    expect(mode(job.printFilePath)).toBe(0o600);
  });
});
