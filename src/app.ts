import "reflect-metadata";
import path from "node:path";
import pino, { type Logger } from "pino";
import type { AccessPolicy } from "./access/authentication.js";
import { ensureFirstAdministrator } from "./access/operators.js";
import { type BatchRunner, createBatchRunner } from "./batches/runner.js";
import { loadCertificateAuthority } from "./ca/certificate-authority.js";
import { createCrlPublisher } from "./ca/crl-publisher.js";
import { createOcspResponder, type OcspResponder } from "./ca/ocsp-responder.js";
import type { Config } from "./config.js";
import { roles } from "./domain/roles.js";
import type { Clock, Services } from "./processes/services.js";
import { createWorkerPool } from "./production/worker-pool.js";
import { createAuditLog } from "./store/audit-log.js";
import { upsertCardTemplates } from "./store/card-templates.js";
import { openStore } from "./store/database.js";
import { findProcessOptions, saveProcessOptions } from "./store/process-options.js";

/** Everything a running Tessera holds, built once from the configuration. */
export interface App {
  readonly config: Config;
  readonly services: Services;
  readonly policy: AccessPolicy;
  readonly log: Logger;
  readonly ocsp: OcspResponder;
  readonly runner: BatchRunner;
  /** Starts the background work: CRL publication (and, with issue 4, the batch runner). */
  start(): void;
  /** Set when this start created the first administrator. */
  readonly firstAdministrator: { username: string; password: string | undefined } | undefined;
  close(): Promise<void>;
}

export interface AppDependencies {
  clock?: Clock;
  log?: Logger;
}

export async function createApp(config: Config, deps: AppDependencies = {}): Promise<App> {
  const log = deps.log ?? pino({ level: config.logLevel });
  const clock = deps.clock ?? (() => new Date());
  const store = await openStore(config.database, {
    onConnectionLost: (error) =>
      log.warn({ err: error }, "a PostgreSQL connection was lost; the pool replaces it"),
  });
  try {
    const at = clock().toISOString();
    await upsertCardTemplates(store.db, config.templates, at);
    if (!(await findProcessOptions(store.db))) await saveProcessOptions(store.db, config.options, null, at);

    const ca = await loadCertificateAuthority(
      store,
      {
        name: config.ca.name,
        validityYears: config.ca.validityYears,
        publicUrl: config.publicUrl,
        keyPassphrase: config.secrets.caKeyPassphrase,
      },
      clock,
    );
    const crl = createCrlPublisher({ store, ca, clock, nextUpdateHours: config.crl.nextUpdateHours, log });
    let runner: BatchRunner | undefined;
    const services: Services = {
      store,
      ca,
      crl,
      batchChunkSize: config.batch.chunkSize,
      wakeBatchRunner: () => runner?.wake(),
      audit: createAuditLog({ dialect: store.dialect, key: config.secrets.auditKey }),
      clock,
      templates: new Map(config.templates.map((t) => [t.name, t])),
      secrets: { pukKey: config.secrets.pukKey },
      async getOptions(db = store.db) {
        return (await findProcessOptions(db)) ?? config.options;
      },
    };
    runner = createBatchRunner({
      services,
      log,
      workDir: path.join(config.dataDir, "work"),
      organizationName: config.organizationName,
      producer: () => {
        if (!ca.privateKeyPkcs8)
          throw new Error("the production workers need the CA key; a PKCS#11 CA is not supported yet");
        return createWorkerPool({
          size: config.batch.workers,
          init: {
            caCertificate: ca.identity.certificateDer,
            caPrivateKey: ca.privateKeyPkcs8,
            caChain: [...ca.chain],
            publicUrl: config.publicUrl,
            pukKey: config.secrets.pukKey,
          },
        });
      },
    });
    // A demo gives the first administrator every role, so one login shows everything.
    const first = await ensureFirstAdministrator(services, {
      password: config.adminPassword,
      roles: config.demo ? [...roles] : ["administrator"],
    });
    return {
      config,
      services,
      log,
      policy: {
        sessionIdleMinutes: config.session.idleMinutes,
        maxFailedLogins: config.login.maxFailures,
        lockMinutes: config.login.lockMinutes,
      },
      firstAdministrator: first.created ? { username: first.username, password: first.password } : undefined,
      ocsp: createOcspResponder({ store, ca, clock, log, validitySeconds: 3600 }),
      runner,
      start() {
        crl.start();
        runner?.start();
      },
      async close() {
        crl.stop();
        await runner?.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
