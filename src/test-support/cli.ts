import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import path from "node:path";
import type { TestApp } from "./test-app.js";

/** The built command line (`npm run build` / the suite's global setup makes it). */
export const cliPath = path.resolve("dist/cli/main.js");

/**
 * Runs the built `tessera` command line against the data folder and database of a running test
 * app, with the keys `createTestApp` gives it, so that both write one object history.
 */
export function cliAgainst(t: TestApp): (...args: string[]) => SpawnSyncReturns<string> {
  return (...args) => {
    const { database, dataDir } = t.app.config;
    return spawnSync("node", [cliPath, ...args], {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : { DATABASE_URL: "" }),
        TESSERA_AUDIT_KEY: "07".repeat(32),
        TESSERA_PUK_KEY: "09".repeat(32),
        TESSERA_AUDIT_CHECKPOINT_KEY: "05".repeat(32),
        TESSERA_CA_KEY_PASSPHRASE: "test passphrase for the CA key",
        TESSERA_PUBLIC_URL: "https://tessera.example.org",
        TESSERA_DEMO: "false",
        TESSERA_ADMIN_PASSWORD: "",
        LOG_LEVEL: "silent",
      },
    });
  };
}

/**
 * Runs the built `tessera card …` command (a desk's) without blocking this process, which serves
 * the API it calls; the PINs it reads come only from `env` or `input`.
 */
export function runCardCommand(args: string[], env: Record<string, string | undefined>, input = "") {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("node", [cliPath, "card", ...args], {
      env: { ...process.env, TESSERA_NEW_PIN: undefined, TESSERA_OLD_PIN: undefined, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The arguments of `tessera card SUB` for one card at a desk: the server's URL and the reader's module. */
export function deskArgs(sub: string, cardNumber: string, desk: { url: string; module: string }): string[] {
  return [sub, "--card", cardNumber, "--url", desk.url, "--module", desk.module];
}
