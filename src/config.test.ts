import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const fresh = () => mkdtempSync(path.join(tmpdir(), "tessera-config-"));

describe("loadConfig", () => {
  it("defaults to SQLite in ./data on 127.0.0.1:3000 with demo data, and makes the secrets once (0600)", () => {
    const cwd = fresh();
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 3000,
      publicUrl: "http://localhost:3000",
      database: { kind: "sqlite", file: path.join(cwd, "data", "tessera.sqlite") },
      demo: true,
    });
    const secrets = path.join(cwd, "data", "secrets.json");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const again = loadConfig({ env: {}, cwd });
    expect(again.secrets.auditKey.equals(config.secrets.auditKey)).toBe(true);
    expect(JSON.parse(readFileSync(secrets, "utf8")).auditKey).toBe(config.secrets.auditKey.toString("hex"));
  });

  it("switches to PostgreSQL with DATABASE_URL and takes --no-demo over the environment", () => {
    const config = loadConfig({
      env: { DATABASE_URL: "postgres://u@db/tessera", TESSERA_DEMO: "true" },
      overrides: { demo: false },
      cwd: fresh(),
    });
    expect(config.database).toEqual({ kind: "postgres", url: "postgres://u@db/tessera" });
    expect(config.demo).toBe(false);
  });

  it.each([
    [{ PORT: "70000" }, "Setting PORT"],
    [{ DATABASE_URL: "mysql://x" }, "Setting DATABASE_URL"],
    [{ TESSERA_PUBLIC_URL: "ftp://x" }, "Setting TESSERA_PUBLIC_URL"],
    [{ TESSERA_ADMIN_PASSWORD: "short" }, "Setting TESSERA_ADMIN_PASSWORD"],
    [{ TESSERA_AUDIT_KEY: "abc" }, "Setting TESSERA_AUDIT_KEY"],
    [{ TESSERA_TLS_CERT: "/x.pem" }, "Setting TESSERA_TLS_CERT/TESSERA_TLS_KEY"],
    [{ TESSERA_DEMO: "perhaps" }, "Setting TESSERA_DEMO"],
    [{ TESSERA_CONFIG: "/nonexistent.json" }, "Setting TESSERA_CONFIG"],
    [{ TESSERA_TRUSTED_PROXIES: "10.0.0.0/33" }, "Setting TESSERA_TRUSTED_PROXIES"],
    [{ TESSERA_TRUSTED_PROXIES: "proxy.example.org" }, "Setting TESSERA_TRUSTED_PROXIES"],
    [{ TESSERA_TRUSTED_PROXIES: "127.0.0.1,,10.0.0.1" }, "Setting TESSERA_TRUSTED_PROXIES"],
  ])("names the bad setting in %j", (env, message) => {
    expect(() => loadConfig({ env, cwd: fresh() })).toThrow(message);
  });

  it("believes X-Forwarded-For from no proxy unless TESSERA_TRUSTED_PROXIES lists them", () => {
    expect(loadConfig({ env: {}, cwd: fresh() }).trustedProxies).toEqual([]);
    // Not even from 127.0.0.1 behind an https public URL, as before issue 8.
    expect(
      loadConfig({ env: { TESSERA_PUBLIC_URL: "https://id.example.org" }, cwd: fresh() }).trustedProxies,
    ).toEqual([]);
    expect(
      loadConfig({ env: { TESSERA_TRUSTED_PROXIES: " 127.0.0.1, 10.0.0.0/8,fd00::/8 " }, cwd: fresh() })
        .trustedProxies,
    ).toEqual(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
  });

  it("logs answered requests at debug in a terminal and at info otherwise, unless TESSERA_REQUEST_LOG_LEVEL says", () => {
    const cwd = fresh();
    expect(loadConfig({ env: {}, cwd }).requestLogLevel).toBe("info");
    expect(loadConfig({ env: {}, cwd, overrides: { interactive: true } }).requestLogLevel).toBe("debug");
    expect(
      loadConfig({ env: { TESSERA_REQUEST_LOG_LEVEL: "info" }, cwd, overrides: { interactive: true } })
        .requestLogLevel,
    ).toBe("info");
    expect(() => loadConfig({ env: { TESSERA_REQUEST_LOG_LEVEL: "loud" }, cwd })).toThrow(
      "Setting TESSERA_REQUEST_LOG_LEVEL: must be info or debug",
    );
  });

  it("reads templates and options from the config file and names a bad field in it", () => {
    const cwd = fresh();
    const file = path.join(cwd, "tessera.json");
    writeFileSync(
      file,
      JSON.stringify({
        templates: [
          { name: "Visitor", profiles: [{ name: "auth", kind: "authentication", keyAlgorithm: "P-384" }] },
        ],
        options: { approvalStep: false },
      }),
    );
    const config = loadConfig({ env: { TESSERA_CONFIG: file }, cwd });
    expect(config.templates.map((t) => t.name)).toEqual(["Visitor"]);
    expect(config.options).toMatchObject({ approvalStep: false, pinLength: { default: 6 } });
    writeFileSync(file, JSON.stringify({ options: { pinLength: { default: 3 } } }));
    expect(() => loadConfig({ env: { TESSERA_CONFIG: file }, cwd })).toThrow(/options\.pinLength\.default/);
  });
});

describe("the PIN of the token that holds the CA key", () => {
  it("is read from the variable the CA record names, never stored; unset or empty is no PIN", () => {
    const cwd = fresh();
    const config = loadConfig({ env: { TESSERA_CA_PIN: "4321", OFFICE_PIN: "8765", EMPTY_PIN: "" }, cwd });
    expect(config.secrets.caTokenPin?.("TESSERA_CA_PIN")).toBe("4321");
    expect(config.secrets.caTokenPin?.("OFFICE_PIN")).toBe("8765");
    expect(config.secrets.caTokenPin?.("EMPTY_PIN")).toBeUndefined();
    expect(config.secrets.caTokenPin?.("UNSET_PIN")).toBeUndefined();
    expect(() => config.secrets.caTokenPin?.("NOT A NAME")).toThrow(/is not an environment variable's name/);
    expect(readFileSync(path.join(cwd, "data", "secrets.json"), "utf8")).not.toContain("4321");
  });
});

describe("the checkpoint key of the object history", () => {
  it("is made with the other secrets, added to an earlier secrets file, and taken from the environment", () => {
    const cwd = fresh();
    const config = loadConfig({ env: {}, cwd });
    const secrets = path.join(cwd, "data", "secrets.json");
    const stored = JSON.parse(readFileSync(secrets, "utf8"));
    expect(stored.auditCheckpointKey).toMatch(/^[0-9a-f]{64}$/);
    expect(config.secrets.auditCheckpointKey.toString("hex")).toBe(stored.auditCheckpointKey);

    // A secrets file written before checkpoints existed gains the key; the others stay as they were.
    const { auditCheckpointKey: _, ...earlier } = stored;
    writeFileSync(secrets, JSON.stringify(earlier), { mode: 0o644 });
    const upgraded = loadConfig({ env: {}, cwd });
    const rewritten = JSON.parse(readFileSync(secrets, "utf8"));
    expect(rewritten).toMatchObject(earlier);
    expect(rewritten.auditCheckpointKey).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(upgraded.secrets.auditCheckpointKey.toString("hex")).toBe(rewritten.auditCheckpointKey);
    expect(
      loadConfig({ env: {}, cwd }).secrets.auditCheckpointKey.equals(upgraded.secrets.auditCheckpointKey),
    ).toBe(true);

    const fromEnv = loadConfig({ env: { TESSERA_AUDIT_CHECKPOINT_KEY: "ab".repeat(32) }, cwd });
    expect(fromEnv.secrets.auditCheckpointKey.toString("hex")).toBe("ab".repeat(32));
    expect(() => loadConfig({ env: { TESSERA_AUDIT_CHECKPOINT_KEY: "xyz" }, cwd })).toThrow(
      "Setting TESSERA_AUDIT_CHECKPOINT_KEY",
    );
  });
});

describe("the key type of the CA a first start creates", () => {
  it("is p384 unless TESSERA_CA_KEY_TYPE or ca.keyType sets it; the environment wins over the file", () => {
    const cwd = fresh();
    expect(loadConfig({ env: {}, cwd }).ca).toEqual({ name: "Tessera Demo CA", validityYears: 10 });
    expect(loadConfig({ env: { TESSERA_CA_KEY_TYPE: "rsa4096" }, cwd }).ca.keyType).toBe("rsa4096");
    const file = path.join(cwd, "tessera.json");
    writeFileSync(file, JSON.stringify({ ca: { keyType: "rsa3072" } }));
    expect(loadConfig({ env: { TESSERA_CONFIG: file }, cwd }).ca).toEqual({
      name: "Tessera Demo CA",
      validityYears: 10,
      keyType: "rsa3072",
    });
    expect(loadConfig({ env: { TESSERA_CONFIG: file, TESSERA_CA_KEY_TYPE: "p384" }, cwd }).ca.keyType).toBe(
      "p384",
    );
  });

  it("refuses an unknown key type at start, naming the setting and writing nothing", () => {
    const cwd = fresh();
    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig({ env, cwd });
      } catch (error) {
        return error;
      }
      throw new Error("the configuration was accepted");
    };
    expect(refusal({ TESSERA_CA_KEY_TYPE: "rsa2048" })).toMatchObject({
      code: "config.invalid",
      message:
        'Setting TESSERA_CA_KEY_TYPE (ca.keyType): the CA key type must be p384, rsa3072 or rsa4096, not "rsa2048"',
    });
    const file = path.join(cwd, "tessera.json");
    writeFileSync(file, JSON.stringify({ ca: { name: "Office CA", keyType: "P-384" } }));
    expect(refusal({ TESSERA_CONFIG: file })).toMatchObject({
      code: "config.invalid",
      message: `Setting ${file}: ca.keyType: the CA key type must be p384, rsa3072 or rsa4096 (TESSERA_CA_KEY_TYPE, when set, takes the place of ca.keyType)`,
    });
    // Refused before the secrets are made: the data folder was not even created.
    expect(existsSync(path.join(cwd, "data"))).toBe(false);
  });
});
