import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { type App, createApp } from "../app.js";
import { loadConfig } from "../config.js";

/** What a benchmark of a whole app is asked: how many cards, and PostgreSQL's URL (SQLite without). */
export interface BenchAppOptions {
  size: number;
  databaseUrl?: string | undefined;
}

/**
 * The log of an app a benchmark runs: on stderr, for a benchmark's stdout is its figures as JSON
 * alone (scripts read it), and a warning logged there had made it no JSON.
 */
export function benchLog(level: string) {
  return pino({ level }, pino.destination(2));
}

/**
 * Runs `bench` on a Tessera app of its own, built from `env` as a deployment would be, with its
 * data in a fresh temporary folder, no demo data and a known first administrator. The app is
 * closed and the folder removed afterwards, whatever happens, so benchmarks leave nothing behind.
 */
export async function withBenchApp<T>(
  name: string,
  settings: { env: NodeJS.ProcessEnv; logLevel: string },
  bench: (app: App) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `tessera-bench-${name}-`));
  try {
    const env: NodeJS.ProcessEnv = {
      ...settings.env,
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ADMIN_PASSWORD: "bench administrator password",
      TESSERA_DEMO: "false",
    };
    const app = await createApp(loadConfig({ env }), { log: benchLog(settings.logLevel) });
    try {
      return await bench(app);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
