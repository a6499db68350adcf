import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod";
import { type CaKeyType, caKeyTypeNames, isCaKeyType } from "./domain/ca-key-types.js";
import { type CardTemplate, cardTemplateSchema, demoTemplates } from "./domain/card-template.js";
import { TesseraError } from "./domain/errors.js";
import { type ProcessOptions, processOptionsSchema } from "./domain/process-options.js";
import { type Role, roles } from "./domain/roles.js";

/**
 * All settings, parsed and checked once at start from the environment and an optional JSON
 * config file. Nothing else in Tessera reads `process.env`. A bad setting stops the start
 * with a `config.invalid` error ({@link configError}) that names it.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Base URL written into certificates (CRL, OCSP, CA issuers); https makes cookies Secure. */
  readonly publicUrl: string;
  /**
   * Whether the public URL was set (TESSERA_PUBLIC_URL) rather than defaulted to localhost.
   * Outside the demo, certificates are issued only with a public URL that was set.
   */
  readonly publicUrlSet: boolean;
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
  /**
   * The CA a first start creates. `keyType` (TESSERA_CA_KEY_TYPE, or `ca.keyType` in the
   * configuration file) is undefined when neither sets it: a P-384 CA then.
   */
  readonly ca: { readonly name: string; readonly validityYears: number; readonly keyType?: CaKeyType };
  readonly crl: { readonly nextUpdateHours: number };
  /** How often each process looks for certificates and cards that reached their end (seconds). */
  readonly expiry?: { readonly intervalSeconds: number };
  readonly session: { readonly idleMinutes: number };
  /** Chunk size (cards produced and committed at once) and production worker threads. */
  readonly batch: { readonly chunkSize: number; readonly workers: number };
  /** The ID office's name: the sender on PIN letters. */
  readonly organizationName: string;
  /** The language of the pages holders see (/activate): TESSERA_LANGUAGE, `en` or `sv`. */
  readonly language?: "en" | "sv";
  /** Growing delays after failed logins (see `access/login-throttle.ts`). */
  readonly login: LoginThrottleSettings;
  /**
   * Addresses or CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed
   * (TESSERA_TRUSTED_PROXIES); empty: the peer's own address counts, whatever a header says.
   */
  readonly trustedProxies: readonly string[];
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * The level of the one log line per answered request (TESSERA_REQUEST_LOG_LEVEL): `info` for a
   * server whose logs are collected; `debug` when Tessera runs in a terminal, so the start-up's
   * URL and password are not scrolled away by request lines. Left out: `info`.
   */
  readonly requestLogLevel?: "info" | "debug";
  /** Who may fetch a batch's files and a card's software token, and how often a token. */
  readonly downloads: Downloads;
}

/**
 * One kind of login delay: after `freeFailures` failures the next attempt waits
 * `firstDelaySeconds`, and each further failure doubles the wait, up to `maxDelaySeconds`.
 */
export interface LoginDelayRule {
  readonly freeFailures: number;
  readonly firstDelaySeconds: number;
  readonly maxDelaySeconds: number;
}

/**
 * Login throttling: delays that grow with failures instead of a lock that anyone could
 * trigger. Failures are counted per account and address, per account from all addresses
 * (higher threshold, lower cap, and only addresses that have failed for it wait), and per
 * address for all accounts.
 */
export interface LoginThrottleSettings {
  readonly perAccountAddress: LoginDelayRule;
  readonly perAccount: LoginDelayRule;
  readonly perAddress: LoginDelayRule;
  /** A count is forgotten this long after its last failure. */
  readonly forgetAfterHours: number;
}

export const defaultLoginThrottle: LoginThrottleSettings = Object.freeze<LoginThrottleSettings>({
  perAccountAddress: { freeFailures: 3, firstDelaySeconds: 1, maxDelaySeconds: 15 * 60 },
  perAccount: { freeFailures: 10, firstDelaySeconds: 1, maxDelaySeconds: 60 },
  perAddress: { freeFailures: 20, firstDelaySeconds: 1, maxDelaySeconds: 5 * 60 },
  forgetAfterHours: 24,
});

/**
 * Which roles may fetch what a batch makes. The PIN letters and the software tokens together
 * are a card's whole secret, so no role may fetch both (checked at start).
 */
export interface Downloads {
  readonly printFile: readonly Role[];
  readonly pinLetters: readonly Role[];
  readonly tokens: readonly Role[];
  /** How many times one card's software token may be downloaded. */
  readonly tokenLimit: number;
}

export const defaultDownloads: Downloads = Object.freeze<Downloads>({
  printFile: ["productionAdministrator"],
  pinLetters: ["pinMailer"],
  tokens: ["productionAdministrator"],
  tokenLimit: 1,
});

/**
 * Refuses a download setting that lets one role fetch both the PIN letters and the software
 * tokens: whoever held it could open every token of a batch alone.
 */
export function assertSecretsSplit(downloads: Downloads): void {
  const both = downloads.pinLetters.filter((role) => downloads.tokens.includes(role));
  if (both.length > 0)
    throw configError(
      "downloads (TESSERA_PIN_LETTER_ROLES / TESSERA_TOKEN_ROLES)",
      `the role ${both.join(", ")} may fetch both the PIN letters and the software tokens, which together open every card's keys; give them to different roles`,
    );
  for (const [name, list] of Object.entries({
    printFile: downloads.printFile,
    pinLetters: downloads.pinLetters,
    tokens: downloads.tokens,
  }))
    if (list.length === 0) throw configError(`downloads.${name}`, "name at least one role");
}

export interface Secrets {
  /** Keys the HMAC chain of the object history. */
  readonly auditKey: Buffer;
  /** AES-256-GCM key for stored PUKs. */
  readonly pukKey: Buffer;
  /** Encrypts the CA's private key at rest. */
  readonly caKeyPassphrase: string;
  /**
   * The 32-byte Ed25519 seed that signs the object history's checkpoints. Kept out of the
   * database, so whoever can write the database cannot sign a shorter history as complete.
   */
  readonly auditCheckpointKey: Buffer;
  /**
   * The user PIN of the PKCS#11 token that holds the CA key, read from the environment variable
   * `variable` ({@link defaultCaPinVariable} unless `tessera ca init --pin-env` named another: the
   * CA record keeps that name, never the PIN). Undefined when the variable is unset or empty.
   * Left out (tests that build a Config by hand): no PIN is available.
   */
  readonly caTokenPin?: (variable: string) => string | undefined;
}

/** The environment variable that holds the CA token's PIN unless `ca init --pin-env` names another. */
export const defaultCaPinVariable = "TESSERA_CA_PIN";

/** An environment variable's name as `--pin-env` may give it: letters, digits and underscores. */
export const environmentVariableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `config.invalid` error that stops the start, naming the setting and saying what is wrong. */
export function configError(setting: string, reason: string): TesseraError {
  return new TesseraError("config.invalid", `Setting ${setting}: ${reason}`, { setting });
}

const defaultCaName = "Tessera Demo CA";
const caKeyTypeList = `${caKeyTypeNames.slice(0, -1).join(", ")} or ${caKeyTypeNames.at(-1)}`;
const caKeyTypeOverride = " (TESSERA_CA_KEY_TYPE, when set, takes the place of ca.keyType)";

/** The CA key type of the environment, which wins over the file's; undefined when neither sets it. */
function parseCaKeyType(value: string | undefined, fromFile: CaKeyType | undefined): CaKeyType | undefined {
  if (value === undefined || value === "") return fromFile;
  if (!isCaKeyType(value))
    throw configError(
      "TESSERA_CA_KEY_TYPE (ca.keyType)",
      `the CA key type must be ${caKeyTypeList}, not "${value}"`,
    );
  return value;
}

const roleListSchema = z.array(z.enum(roles)).min(1).max(roles.length);

const configFileSchema = z.strictObject({
  downloads: z
    .strictObject({
      printFile: roleListSchema.optional(),
      pinLetters: roleListSchema.optional(),
      tokens: roleListSchema.optional(),
      tokenLimit: z.int().min(1).max(100).optional(),
    })
    .optional(),
  templates: z.array(cardTemplateSchema).min(1).optional(),
  options: processOptionsSchema.optional(),
  ca: z
    .strictObject({
      name: z.string().min(3).max(64).default(defaultCaName),
      validityYears: z.int().min(1).max(30).default(10),
      keyType: z
        .enum(caKeyTypeNames, { error: `the CA key type must be ${caKeyTypeList}${caKeyTypeOverride}` })
        .optional(),
    })
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

function parseLanguage(value: string | undefined): "en" | "sv" {
  if (value === undefined || value === "") return "en";
  if (value === "en" || value === "sv") return value;
  throw configError("TESSERA_LANGUAGE", "must be en or sv");
}

const hexKey = (setting: string, value: string): Buffer => {
  if (!/^[0-9a-fA-F]{64}$/.test(value))
    throw configError(setting, "must be 64 hexadecimal digits (32 bytes)");
  return Buffer.from(value, "hex");
};

const secretsFileSchema = z.strictObject({
  auditKey: z.string().regex(/^[0-9a-f]{64}$/),
  pukKey: z.string().regex(/^[0-9a-f]{64}$/),
  caKeyPassphrase: z.string().min(32),
  // Added to the secrets file of an earlier Tessera at its first start with checkpoints.
  auditCheckpointKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
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
    if (!parsed.success) throw configError(file, "is damaged; restore it from the backup");
    stored = parsed.data;
    if (!stored.auditCheckpointKey) {
      stored = { ...stored, auditCheckpointKey: randomBytes(32).toString("hex") };
      writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
  } else {
    stored = {
      auditKey: randomBytes(32).toString("hex"),
      pukKey: randomBytes(32).toString("hex"),
      caKeyPassphrase: randomBytes(32).toString("base64url"),
      auditCheckpointKey: randomBytes(32).toString("hex"),
    };
    // The data folder holds the database, the secrets and the batches' work files: owner only.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    auditKey: hexKey("TESSERA_AUDIT_KEY", env.TESSERA_AUDIT_KEY ?? stored.auditKey),
    pukKey: hexKey("TESSERA_PUK_KEY", env.TESSERA_PUK_KEY ?? stored.pukKey),
    caKeyPassphrase: env.TESSERA_CA_KEY_PASSPHRASE ?? stored.caKeyPassphrase,
    auditCheckpointKey: hexKey(
      "TESSERA_AUDIT_CHECKPOINT_KEY",
      env.TESSERA_AUDIT_CHECKPOINT_KEY ?? stored.auditCheckpointKey ?? "",
    ),
    // Read when asked: the variable's name is in the CA record, which is read after the config.
    caTokenPin: (variable) => {
      if (!environmentVariableName.test(variable))
        throw configError(
          "the CA token's PIN variable",
          `"${variable}" is not an environment variable's name`,
        );
      return env[variable] || undefined;
    },
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
    throw configError(setting, `must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

function parseRoles(setting: string, value: string | undefined): Role[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const listed = value.split(",").map((role) => role.trim());
  for (const role of listed)
    if (!(roles as readonly string[]).includes(role))
      throw configError(
        setting,
        `"${role}" is not a role; use a comma-separated list of ${roles.join(", ")}`,
      );
  return [...new Set(listed)] as Role[];
}

function parseBoolean(setting: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw configError(setting, `must be true or false, not "${value}"`);
}

/** A comma list of IP addresses and CIDR ranges, e.g. `127.0.0.1, 10.0.0.0/8, fd00::/8`. */
function parseTrustedProxies(value: string | undefined): string[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((raw) => {
    const entry = raw.trim();
    const [address = "", prefix, extra] = entry.split("/");
    const version = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
    if (version === 0 || extra !== undefined || !prefixOk)
      throw configError(
        "TESSERA_TRUSTED_PROXIES",
        `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8); separate several with commas`,
      );
    return entry;
  });
}

export interface LoadConfigInput {
  env: NodeJS.ProcessEnv;
  /** Command-line overrides (e.g. `--no-demo`), which win over the environment. */
  overrides?: { demo?: boolean; port?: number; interactive?: boolean };
  cwd?: string;
}

export function loadConfig({ env, overrides = {}, cwd = process.cwd() }: LoadConfigInput): Config {
  const dataDir = path.resolve(cwd, env.TESSERA_DATA_DIR || "data");
  const port = overrides.port ?? parseInteger("PORT", env.PORT, 3000, 1, 65535);
  const host = env.HOST || "127.0.0.1";

  const publicUrlSet = Boolean(env.TESSERA_PUBLIC_URL);
  const publicUrl = (env.TESSERA_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl))
    throw configError("TESSERA_PUBLIC_URL", `must be an http or https URL, not "${publicUrl}"`);

  let database: Config["database"] = { kind: "sqlite", file: path.join(dataDir, "tessera.sqlite") };
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL))
      throw configError("DATABASE_URL", "must be a postgres:// URL (leave it unset for the embedded SQLite)");
    database = { kind: "postgres", url: env.DATABASE_URL };
  }

  const configFile = env.TESSERA_CONFIG
    ? path.resolve(cwd, env.TESSERA_CONFIG)
    : existsSync(path.join(dataDir, "tessera.json"))
      ? path.join(dataDir, "tessera.json")
      : undefined;
  let fileSettings: z.infer<typeof configFileSchema> = {};
  if (configFile) {
    if (!existsSync(configFile)) throw configError("TESSERA_CONFIG", `no file at ${configFile}`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (error) {
      throw configError(configFile, `is not valid JSON (${(error as Error).message})`);
    }
    const parsed = configFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw configError(`${configFile}: ${issue.path.join(".") || "(root)"}`, issue.message);
    }
    fileSettings = parsed.data;
  }

  const tlsCert = env.TESSERA_TLS_CERT;
  const tlsKey = env.TESSERA_TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey))
    throw configError("TESSERA_TLS_CERT/TESSERA_TLS_KEY", "set both or neither");

  const adminPassword = env.TESSERA_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 12)
    throw configError("TESSERA_ADMIN_PASSWORD", "must be at least 12 characters");

  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel))
    throw configError("LOG_LEVEL", `must be one of fatal, error, warn, info, debug, trace, silent`);

  const requestLogLevel = env.TESSERA_REQUEST_LOG_LEVEL || (overrides.interactive ? "debug" : "info");
  if (requestLogLevel !== "info" && requestLogLevel !== "debug")
    throw configError("TESSERA_REQUEST_LOG_LEVEL", "must be info or debug");

  const downloads: Downloads = {
    printFile:
      parseRoles("TESSERA_PRINT_FILE_ROLES", env.TESSERA_PRINT_FILE_ROLES) ??
      fileSettings.downloads?.printFile ??
      defaultDownloads.printFile,
    pinLetters:
      parseRoles("TESSERA_PIN_LETTER_ROLES", env.TESSERA_PIN_LETTER_ROLES) ??
      fileSettings.downloads?.pinLetters ??
      defaultDownloads.pinLetters,
    tokens:
      parseRoles("TESSERA_TOKEN_ROLES", env.TESSERA_TOKEN_ROLES) ??
      fileSettings.downloads?.tokens ??
      defaultDownloads.tokens,
    tokenLimit: parseInteger(
      "TESSERA_TOKEN_DOWNLOADS",
      env.TESSERA_TOKEN_DOWNLOADS,
      fileSettings.downloads?.tokenLimit ?? defaultDownloads.tokenLimit,
      1,
      100,
    ),
  };
  assertSecretsSplit(downloads);
  const caKeyType = parseCaKeyType(env.TESSERA_CA_KEY_TYPE, fileSettings.ca?.keyType);

  return Object.freeze({
    host,
    port,
    publicUrl,
    publicUrlSet,
    dataDir,
    database,
    adminPassword,
    demo: overrides.demo ?? parseBoolean("TESSERA_DEMO", env.TESSERA_DEMO, true),
    secrets: loadSecrets(env, dataDir),
    templates: fileSettings.templates ?? demoTemplates,
    options: fileSettings.options ?? processOptionsSchema.parse({}),
    ca: {
      name: fileSettings.ca?.name ?? defaultCaName,
      validityYears: fileSettings.ca?.validityYears ?? 10,
      ...(caKeyType ? { keyType: caKeyType } : {}),
    },
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
    expiry: {
      intervalSeconds: parseInteger(
        "TESSERA_EXPIRY_INTERVAL_SECONDS",
        env.TESSERA_EXPIRY_INTERVAL_SECONDS,
        60,
        1,
        86_400,
      ),
    },
    login: defaultLoginThrottle,
    trustedProxies: parseTrustedProxies(env.TESSERA_TRUSTED_PROXIES),
    batch: {
      chunkSize: parseInteger("TESSERA_BATCH_CHUNK_SIZE", env.TESSERA_BATCH_CHUNK_SIZE, 250, 1, 5000),
      workers: parseInteger("TESSERA_WORKERS", env.TESSERA_WORKERS, availableParallelism(), 1, 64),
    },
    organizationName: fileSettings.organizationName ?? "Tessera Demo Office",
    language: parseLanguage(env.TESSERA_LANGUAGE),
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
    logLevel,
    requestLogLevel,
    downloads,
  });
}
