import path from "node:path";
import pino, { type Logger } from "pino";
import type { AccessPolicy } from "./access/authentication.js";
import { ensureFirstAdministrator } from "./access/operators.js";
import { createCheckpointWriter } from "./audit/checkpoint-writer.js";
import { type BatchScheduler, createBatchScheduler } from "./batches/scheduler.js";
import {
  type CertificateAuthority,
  caKeyTypeIgnored,
  loadCertificateAuthority,
} from "./ca/certificate-authority.js";
import { createCrlPublisher } from "./ca/crl-publisher.js";
import { createOcspResponder, type OcspResponder } from "./ca/ocsp-responder.js";
import { assertSecretsSplit, type Config } from "./config.js";
import { roles } from "./domain/roles.js";
import { createExpiryScheduler, type ExpiryScheduler } from "./expiry/expiry-scheduler.js";
import { findLooseFiles, formatMode } from "./file-permissions.js";
import type { WorkerInit } from "./production/chunk-job.js";
import { chunksPerThread, createWorkerPool } from "./production/worker-pool.js";
import { type ChipStation, openChipStation, reservedTokenLabels } from "./services/chip-station.js";
import type { Clock, Services } from "./services/services.js";
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
  readonly runner: BatchScheduler;
  /** Marks certificates and cards expired at their end (the first pass runs at start). */
  readonly expiry: ExpiryScheduler;
  /** Starts the background work: CRL publication, the expiry pass, the batch runner, checkpoints. */
  start(): void;
  /** Set when this start created the first administrator. */
  readonly firstAdministrator: { username: string; password: string | undefined } | undefined;
  close(): Promise<void>;
}

export interface AppDependencies {
  clock?: Clock;
  log?: Logger;
}

/**
 * What every production worker thread is given: the CA certificate and a signing key it cannot
 * export, never the key's bytes; or, when the CA key is in a PKCS#11 token, where it is and the
 * PIN, so that each worker signs through a session of its own (the module was initialised on
 * this thread when the CA was loaded, before any worker starts).
 */
export function productionWorkerInit(
  config: Pick<Config, "publicUrl" | "secrets">,
  ca: CertificateAuthority,
): WorkerInit {
  const caKey = ca.workerToken
    ? { caToken: ca.workerToken }
    : ca.workerKey
      ? { caSigningKey: ca.workerKey }
      : undefined;
  if (!caKey) throw new Error("the production workers need the CA key or the token that holds it");
  return {
    caCertificate: ca.identity.certificateDer,
    ...caKey,
    caChain: [...ca.chain],
    publicUrl: config.publicUrl,
    pukKey: config.secrets.pukKey,
  };
}

export async function createApp(config: Config, deps: AppDependencies = {}): Promise<App> {
  // Written synchronously: Tessera logs little, and its lines then stay in order with what the
  // command line prints itself (the start-up box), also when stdout is a file.
  const log = deps.log ?? pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: true }));
  const clock = deps.clock ?? (() => new Date());
  const store = await openStore(config.database, {
    onConnectionLost: (error) =>
      log.warn({ err: error }, "a PostgreSQL connection was lost; the pool replaces it"),
  });
  try {
    assertSecretsSplit(config.downloads);
    // Warn, do not refuse: an operator may have loosened a mode on purpose (a backup agent's group).
    for (const file of findLooseFiles(
      config.dataDir,
      config.database.kind === "sqlite" && config.database.file !== ":memory:" ? [config.database.file] : [],
    ))
      log.warn(
        { file: file.path, mode: formatMode(file.mode), wanted: formatMode(file.wanted) },
        `${file.path} is readable by others than its owner (mode ${formatMode(file.mode)}); it holds secrets or personal data: chmod ${formatMode(file.wanted)} it`,
      );
    const issuingRefusal =
      config.demo || config.publicUrlSet
        ? undefined
        : `TESSERA_PUBLIC_URL is not set, so certificates would name ${config.publicUrl} as their CRL and OCSP address, which no relying party can reach. Set TESSERA_PUBLIC_URL to the address Tessera is reached at and start it again.`;
    if (issuingRefusal) log.warn({ setting: "TESSERA_PUBLIC_URL" }, issuingRefusal);
    const at = clock().toISOString();
    await upsertCardTemplates(store.db, config.templates, at);
    if (!(await findProcessOptions(store.db))) await saveProcessOptions(store.db, config.options, null, at);

    const ca = await loadCertificateAuthority(
      store,
      {
        name: config.ca.name,
        validityYears: config.ca.validityYears,
        keyType: config.ca.keyType,
        publicUrl: config.publicUrl,
        keyPassphrase: config.secrets.caKeyPassphrase,
        tokenPin: config.secrets.caTokenPin,
      },
      clock,
    );
    const keyTypeIgnored = caKeyTypeIgnored(ca.identity, config.ca.keyType);
    if (keyTypeIgnored) log.warn({ setting: "TESSERA_CA_KEY_TYPE" }, keyTypeIgnored);
    const crl = createCrlPublisher({ store, ca, clock, nextUpdateHours: config.crl.nextUpdateHours, log });
    let runner: BatchScheduler | undefined;
    let opening: Promise<void> | undefined;
    const chipStation = openChipStation(config.templates);
    if (config.templates.some((template) => template.pkcs11) && chipStation.refusal)
      log.warn(chipStation.refusal);
    const services: Services = {
      chipStation,
      store,
      ca,
      crl,
      batchChunkSize: config.batch.chunkSize,
      batchChunksInFlight: config.batch.workers * chunksPerThread,
      wakeBatchRunner: () => runner?.wake(),
      issuingRefusal,
      audit: createAuditLog({
        dialect: store.dialect,
        key: config.secrets.auditKey,
        checkpoints: {
          key: config.secrets.auditCheckpointKey,
          file: path.join(config.dataDir, "audit-checkpoint.json"),
        },
      }),
      clock,
      templates: new Map(config.templates.map((t) => [t.name, t])),
      secrets: { pukKey: config.secrets.pukKey },
      async getOptions(db = store.db) {
        return (await findProcessOptions(db)) ?? config.options;
      },
    };
    const expiry = createExpiryScheduler({
      services,
      log,
      intervalMs: (config.expiry?.intervalSeconds ?? 60) * 1000,
    });
    const checkpoints = createCheckpointWriter({ audit: services.audit, db: store.db, clock, log });
    runner = createBatchScheduler({
      services,
      log,
      workDir: path.join(config.dataDir, "work"),
      organizationName: config.organizationName,
      activationUrl: new URL("/activate", config.publicUrl).href,
      producer: () => {
        return createWorkerPool({ size: config.batch.workers, init: productionWorkerInit(config, ca) });
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
        login: config.login,
      },
      firstAdministrator: first.created ? { username: first.username, password: first.password } : undefined,
      ocsp: createOcspResponder({ store, ca, clock, log, validitySeconds: 3600 }),
      runner,
      expiry,
      start() {
        crl.start();
        expiry.start();
        checkpoints.start();
        // The readers' threads first, then the batches: no card waits for its reader's thread.
        opening = openStation(chipStation, reservedTokenLabels(ca), log).then(() => runner?.start());
      },
      async close() {
        // A station still opening has reader threads starting: they are stopped with the rest.
        await opening;
        crl.stop();
        await expiry.stop();
        await runner?.stop();
        // After the runner: its last entries are in the checkpoint too.
        await checkpoints.stop();
        // After the runner, whose workers have their own sessions on a CA token.
        await ca.close();
        await chipStation.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Starts the readers' threads of a production station and tells its operator, who puts the blank
 * cards in, what they hold: a station that opens with none says so at once, not at its first card.
 */
async function openStation(
  station: ChipStation,
  reservedLabels: readonly string[],
  log: Logger,
): Promise<void> {
  try {
    for (const kind of await station.open(reservedLabels)) {
      const said = `${kind.readers} reader${kind.readers === 1 ? "" : "s"} of ${kind.module} (${kind.templates.join(", ")}) hold ${kind.blankCards} blank card${kind.blankCards === 1 ? "" : "s"}`;
      if (kind.blankCards > 0) log.info({ ...kind }, `Production station open: ${said}.`);
      else log.warn({ ...kind }, `Production station open: ${said}: put blank cards in the readers.`);
    }
  } catch (error) {
    log.error({ err: error }, "opening the production station's readers failed");
  }
}
