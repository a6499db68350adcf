import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * Starts `tessera worker` (the built CLI) with `env` and kills it with SIGKILL — no chance to tidy
 * up — once `reached` says so about its SQLite database in `dataDir` (read-only, polled every
 * `pollMs`). Also when the moment never comes (`what` names it in the error): no worker outlives
 * its test.
 */
export async function killWorkerWhen(
  settings: { cli: string; env: NodeJS.ProcessEnv; dataDir: string; pollMs: number },
  what: string,
  reached: (db: Database.Database, elapsedMs: number) => boolean,
): Promise<void> {
  const worker = spawn("node", [settings.cli, "worker"], { env: settings.env, stdio: "ignore" });
  const db = new Database(path.join(settings.dataDir, "tessera.sqlite"), { readonly: true });
  try {
    const started = Date.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, settings.pollMs));
      if (reached(db, Date.now() - started)) break;
      if (Date.now() - started > 60_000) throw new Error(`the worker never reached ${what} in 60 s`);
    }
  } finally {
    db.close();
    if (worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.kill("SIGKILL");
      await exited;
    }
  }
}
