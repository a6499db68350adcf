import { randomBytes } from "node:crypto";
import pg from "pg";
import type { DatabaseSettings, Dialect } from "../store/database.js";

/**
 * Every store test runs on SQLite and on PostgreSQL. PostgreSQL is at
 * TESSERA_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); each test
 * gets a database of its own, dropped afterwards. Under CI a missing PostgreSQL fails the run.
 */
const adminUrl = process.env.TESSERA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch (error) {
    const message = `PostgreSQL is not reachable at ${adminUrl} (${(error as Error).message})`;
    if (process.env.CI) throw new Error(`${message}: required under CI`);
    console.warn(`skipping the PostgreSQL runs: ${message}; install and start postgresql`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const dialects: Dialect[] = (await postgresReachable()) ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestDatabase {
  settings: DatabaseSettings;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect, sqliteFile = ":memory:"): Promise<TestDatabase> {
  if (dialect === "sqlite")
    return { settings: { kind: "sqlite", file: sqliteFile }, drop: async () => undefined };
  const name = `tessera_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    settings: { kind: "postgres", url: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
