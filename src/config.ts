import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod";
import { type CardTemplate, cardTemplateSchema, demoTemplates } from "./domain/card-template.js";
import { type ProcessOptions, processOptionsSchema } from "./domain/process-options.js";

/**
 * All settings, parsed and checked once at start from the environment and an optional JSON
 * config file. Nothing else in Tessera reads `process.env`. A bad setting stops the start
 * with a {@link ConfigError} that names it.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Base URL written into certificates (CRL, OCSP, CA issuers); https makes cookies Secure. */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: "sqlite"; readonly file: string }
    | { readonly kind: "postgres"; readonly url: string };
  readonly adminPassword: string | undefined;
  readonly demo: boolean;
  readonly secrets: Secrets;
  readonly templates: readonly CardTemplate[];
  /** The options a fresh database starts with; administrators change them at run time. */
  readonly options: ProcessOptions;
  readonly ca: { readonly name: string; readonly validityYears: number };
  readonly crl: { readonly nextUpdateHours: number };
  readonly session: { readonly idleMinutes: number };
  /** Chunk size (cards produced and committed at once) and production worker threads. */
  readonly batch: { readonly chunkSize: number; readonly workers: number };
  /** The ID office's name: the sender on PIN letters. */
  readonly organizationName: string;
  readonly login: { readonly maxFailures: number; readonly lockMinutes: number };
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

export interface Secrets {
  /** Keys the HMAC chain of the object history. */
  readonly auditKey: Buffer;
  /** AES-256-GCM key for stored PUKs. */
  readonly pukKey: Buffer;
  /** Encrypts the CA's private key at rest. */
  readonly caKeyPassphrase: string;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`Setting ${setting}: ${reason}`);
    this.name = "ConfigError";
  }
}

const configFileSchema = z.strictObject({
  templates: z.array(cardTemplateSchema).min(1).optional(),
  options: processOptionsSchema.optional(),
  ca: z
    .strictObject({ name: z.string().min(3).max(64), validityYears: z.int().min(1).max(30).default(10) })
    .optional(),
  crl: z
    .strictObject({
      nextUpdateHours: z
        .number()
        .min(1)
        .max(24 * 31),
    })
    .optional(),
  organizationName: z.string().min(1).max(80).optional(),
  session: z
    .strictObject({
      idleMinutes: z
        .int()
        .min(1)
        .max(24 * 60),
    })
    .optional(),
});

const hexKey = (setting: string, value: string): Buffer => {
  if (!/^[0-9a-fA-F]{64}$/.test(value))
    throw new ConfigError(setting, "must be 64 hexadecimal digits (32 bytes)");
  return Buffer.from(value, "hex");
};

const secretsFileSchema = z.strictObject({
  auditKey: z.string().regex(/^[0-9a-f]{64}$/),
  pukKey: z.string().regex(/^[0-9a-f]{64}$/),
  caKeyPassphrase: z.string().min(32),
});

/**
 * Secrets come from the environment when set there; otherwise from `secrets.json` in the data
 * folder, created with fresh random keys (mode 0600) on first start.
 */
function loadSecrets(env: NodeJS.ProcessEnv, dataDir: string): Secrets {
  const file = path.join(dataDir, "secrets.json");
  let stored: z.infer<typeof secretsFileSchema>;
  if (existsSync(file)) {
    const parsed = secretsFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new ConfigError(file, "is damaged; restore it from the backup");
    stored = parsed.data;
  } else {
    stored = {
      auditKey: randomBytes(32).toString("hex"),
      pukKey: randomBytes(32).toString("hex"),
      caKeyPassphrase: randomBytes(32).toString("base64url"),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    auditKey: hexKey("TESSERA_AUDIT_KEY", env.TESSERA_AUDIT_KEY ?? stored.auditKey),
    pukKey: hexKey("TESSERA_PUK_KEY", env.TESSERA_PUK_KEY ?? stored.pukKey),
    caKeyPassphrase: env.TESSERA_CA_KEY_PASSPHRASE ?? stored.caKeyPassphrase,
  };
}

function parseInteger(
  setting: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(setting, `must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

function parseBoolean(setting: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(setting, `must be true or false, not "${value}"`);
}

export interface LoadConfigInput {
  env: NodeJS.ProcessEnv;
  /** Command-line overrides (e.g. `--no-demo`), which win over the environment. */
  overrides?: { demo?: boolean; port?: number };
  cwd?: string;
}

export function loadConfig({ env, overrides = {}, cwd = process.cwd() }: LoadConfigInput): Config {
  const dataDir = path.resolve(cwd, env.TESSERA_DATA_DIR || "data");
  const port = overrides.port ?? parseInteger("PORT", env.PORT, 3000, 1, 65535);
  const host = env.HOST || "127.0.0.1";

  const publicUrl = (env.TESSERA_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl))
    throw new ConfigError("TESSERA_PUBLIC_URL", `must be an http or https URL, not "${publicUrl}"`);

  let database: Config["database"] = { kind: "sqlite", file: path.join(dataDir, "tessera.sqlite") };
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL))
      throw new ConfigError(
        "DATABASE_URL",
        "must be a postgres:// URL (leave it unset for the embedded SQLite)",
      );
    database = { kind: "postgres", url: env.DATABASE_URL };
  }

  const configFile = env.TESSERA_CONFIG
    ? path.resolve(cwd, env.TESSERA_CONFIG)
    : existsSync(path.join(dataDir, "tessera.json"))
      ? path.join(dataDir, "tessera.json")
      : undefined;
  let fileSettings: z.infer<typeof configFileSchema> = {};
  if (configFile) {
    if (!existsSync(configFile)) throw new ConfigError("TESSERA_CONFIG", `no file at ${configFile}`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (error) {
      throw new ConfigError(configFile, `is not valid JSON (${(error as Error).message})`);
    }
    const parsed = configFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(`${configFile}: ${issue.path.join(".") || "(root)"}`, issue.message);
    }
    fileSettings = parsed.data;
  }

  const tlsCert = env.TESSERA_TLS_CERT;
  const tlsKey = env.TESSERA_TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey))
    throw new ConfigError("TESSERA_TLS_CERT/TESSERA_TLS_KEY", "set both or neither");

  const adminPassword = env.TESSERA_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 12)
    throw new ConfigError("TESSERA_ADMIN_PASSWORD", "must be at least 12 characters");

  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel))
    throw new ConfigError("LOG_LEVEL", `must be one of fatal, error, warn, info, debug, trace, silent`);

  return Object.freeze({
    host,
    port,
    publicUrl,
    dataDir,
    database,
    adminPassword,
    demo: overrides.demo ?? parseBoolean("TESSERA_DEMO", env.TESSERA_DEMO, true),
    secrets: loadSecrets(env, dataDir),
    templates: fileSettings.templates ?? demoTemplates,
    options: fileSettings.options ?? processOptionsSchema.parse({}),
    ca: fileSettings.ca ?? { name: "Tessera Demo CA", validityYears: 10 },
    crl: fileSettings.crl ?? { nextUpdateHours: 24 },
    session: {
      idleMinutes: parseInteger(
        "TESSERA_SESSION_IDLE_MINUTES",
        env.TESSERA_SESSION_IDLE_MINUTES,
        fileSettings.session?.idleMinutes ?? 30,
        1,
        1440,
      ),
    },
    login: { maxFailures: 5, lockMinutes: 15 },
    batch: {
      chunkSize: parseInteger("TESSERA_BATCH_CHUNK_SIZE", env.TESSERA_BATCH_CHUNK_SIZE, 250, 1, 5000),
      workers: parseInteger("TESSERA_WORKERS", env.TESSERA_WORKERS, availableParallelism(), 1, 64),
    },
    organizationName: fileSettings.organizationName ?? "Tessera Demo Office",
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
    logLevel,
  });
}
