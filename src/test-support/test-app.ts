import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { createOperator } from "../access/operators.js";
import { type App, createApp } from "../app.js";
import { type Config, defaultDownloads, defaultLoginThrottle } from "../config.js";
import { demoTemplates } from "../domain/card-template.js";
import { defaultProcessOptions, type ProcessOptions } from "../domain/process-options.js";
import type { Role } from "../domain/roles.js";
import { buildServer, type ServerHooks } from "../http/server.js";
import type { Actor } from "../services/services.js";
import type { Dialect } from "../store/database.js";
import { createTestDatabase } from "./databases.js";

export const testPassword = "correct horse battery staple";

/** A fixed, steerable clock: tests move time on by hand. */
export function createTestClock(start = "2026-03-01T09:00:00.000Z") {
  let now = Date.parse(start);
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

export interface TestApp {
  app: App;
  server: FastifyInstance;
  clock: ReturnType<typeof createTestClock>;
  /** Creates an operator with these roles and returns it as an actor. */
  operator(username: string, roles: Role[]): Promise<Actor>;
  /** Logs in over HTTP and returns the cookie header to send. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(
  dialect: Dialect,
  overrides: {
    options?: Partial<ProcessOptions>;
    config?: Partial<Config>;
    hooks?: ServerHooks;
    /** Where the app logs (nowhere unless given). */
    log?: Logger;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-test-"));
  const database = await createTestDatabase(dialect, path.join(dataDir, "tessera.sqlite"));
  const config: Config = {
    host: "127.0.0.1",
    port: 0,
    publicUrl: "http://localhost:3000",
    // Tests issue certificates with this address as if it had been set on purpose.
    publicUrlSet: true,
    dataDir,
    database: database.settings,
    adminPassword: testPassword,
    demo: false,
    secrets: {
      auditKey: Buffer.alloc(32, 7),
      pukKey: Buffer.alloc(32, 9),
      caKeyPassphrase: "test passphrase for the CA key",
      auditCheckpointKey: Buffer.alloc(32, 5),
    },
    templates: demoTemplates,
    options: { ...defaultProcessOptions, ...overrides.options },
    ca: { name: "Tessera Test CA", validityYears: 10 },
    crl: { nextUpdateHours: 24 },
    session: { idleMinutes: 30 },
    login: defaultLoginThrottle,
    trustedProxies: [],
    batch: { chunkSize: 4, workers: 2 },
    organizationName: "Tessera Test Office",
    tls: undefined,
    logLevel: "silent",
    downloads: defaultDownloads,
    ...overrides.config,
  };
  const clock = createTestClock();
  const app = await createApp(config, { clock, log: overrides.log ?? pino({ level: "silent" }) });
  const server = await buildServer(app, overrides.hooks);
  return {
    app,
    server,
    clock,
    async operator(username, roles) {
      const { operator } = await createOperator(app.services, null, {
        username,
        password: testPassword,
        roles,
      });
      return { id: operator.id, username, roles: operator.roles };
    },
    async login(username, password = testPassword) {
      const response = await server.inject({
        method: "POST",
        url: "/api/v1/session",
        payload: { username, password },
      });
      if (response.statusCode !== 200) throw new Error(`login of ${username} failed: ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === "tessera_session");
      return `tessera_session=${cookie!.value}`;
    },
    async close() {
      await server.close();
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Moves the app's clock to the real time and listens on a free local port; returns the base URL.
 * OpenSSL asks the real clock whether an OCSP answer is current.
 */
export async function listenOnRealTime(t: TestApp): Promise<string> {
  t.clock.advance(Date.now() - t.clock().getTime());
  return t.server.listen({ port: 0, host: "127.0.0.1" });
}

/** Calls the API as one operator (cookie or bearer token) and returns status and parsed body. */
export function apiAs(server: FastifyInstance, credential: string | undefined) {
  return async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) => {
    const headers: Record<string, string> = {};
    if (credential?.startsWith("tessera_session=")) headers.cookie = credential;
    else if (credential) headers.authorization = `Bearer ${credential}`;
    const response = await server.inject({
      method,
      url,
      headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the API answered
    const body: any = response.body ? JSON.parse(response.body) : undefined;
    return { status: response.statusCode, body, headers: response.headers };
  };
}
