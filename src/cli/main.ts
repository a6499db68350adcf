#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { resetOperatorPassword, unlockOperator } from "../access/operator-recovery.js";
import { createOperator, passwordSchema } from "../access/operators.js";
import { type App, createApp } from "../app.js";
import { benchBatchCommand } from "../bench/bench-batch.js";
import { benchCaCommand } from "../bench/bench-ca.js";
import { benchExpiryCommand } from "../bench/bench-expiry.js";
import { benchPkcs11Command } from "../bench/bench-pkcs11.js";
import { benchSearchCommand } from "../bench/bench-search.js";
import { benchUiCommand } from "../bench/bench-ui.js";
import { benchWorkersCommand } from "../bench/bench-workers.js";
import { importCertificateAuthority } from "../ca/import-certificate-authority.js";
import { loadConfig } from "../config.js";
import { createDemoClock } from "../demo/demo-clock.js";
import { demoOperatorNames, seedDemoData } from "../demo/seed-demo-data.js";
import { isClientError, TesseraError } from "../domain/errors.js";
import { type Role, roles } from "../domain/roles.js";
import { buildServer } from "../http/server.js";
import { runProcess } from "../processes/registry.js";
import { applyProductionHeapGrowing } from "../production/worker-pool.js";
import type { Actor } from "../services/services.js";
import { findOperatorByUsername } from "../store/operators.js";
import { parseArgs, usageError } from "./args.js";
import { runBatchCommand } from "./batch-command.js";
import { runCaInitCommand } from "./ca-init-command.js";
import { cardCommandUsage, runCardCommand } from "./card-command.js";
import { runTokensCommand } from "./tokens-command.js";

const usage = `Usage: tessera <command> [options]

Commands:
  serve [--no-demo] [--port N]        serve the operator UI and API (demo data on an empty database)
  audit verify                        verify the chain of the object history
  operators create --username NAME --roles ROLE[,ROLE…] [--password P]
                                      create an operator (a password is generated when left out)
  operators unlock NAME               clear the login delays of an operator after failed logins
                                      (recorded in the object history)
  operators reset-password NAME [--password P]
                                      set a new password for an operator who lost theirs (generated
                                      when left out); logs them out everywhere; recorded
  ca import --cert CA.pem --key KEY.pem [--key-passphrase P]
                                      install an existing CA (its chain may follow it in CA.pem);
                                      only before any certificate is issued
  ca init --pkcs11-module PATH --token-label LABEL [--pin-env VAR] [--key-type p384|rsa3072]
                                      create the CA's key in a PKCS#11 token (HSM) and the CA;
                                      the PIN comes from VAR (default TESSERA_CA_PIN) at every start
  users import FILE.csv [--operator NAME]
                                      import users from a CSV file as an operator (default: admin)
  batch issue (--all-approved [--template T] [--unit OU] | --cards ID,…) [--pin-length N]
        [--puk-length N] [--certificates P,…] [--card-end-state issued|active]
        [--certificate-end-state onHold|valid] [--operator NAME]
                                      issue multiple cards here, with a progress bar; exit 1 if any failed
  batch activate (--all-issued … | --cards ID,…) [--operator NAME]
                                      activate multiple issued cards
  worker                              produce batch orders without serving HTTP: several machines on one
                                      PostgreSQL, or a production station with the chip card readers
${cardCommandUsage}
  tokens --module PATH [--blank-label REGEX] [--json]
                                      list the tokens (cards) the PKCS#11 module sees: serial, label,
                                      model and whether blank (not initialised, or label matching)
  bench ca [--seconds N]              measure the CA against the bare signature (JSON)
  bench [batch] [--size N] [--rounds R]
                                      issue N software cards against the bare-crypto ceiling (JSON);
                                      R rounds (odd, default 3; each N cards and its ceiling), the median's figures
  bench search [--size N]             the approved-cards search at N cards (default 1,000,000), p95 (JSON)
  bench expiry [--size N]             one expiry pass over N ended certificates (default 100,000) and the search meanwhile (JSON)
  bench ui [--size N]                 the BATCH ORDERS search in Chromium with N approved cards (JSON)
  bench workers [--size N]            one worker process against two on PostgreSQL (DATABASE_URL; JSON);
                                      N cards (default 40 × TESSERA_BATCH_CHUNK_SIZE; ≈ 5 minutes on 2 cores)
  bench pkcs11 [--size N]             N chip cards on SoftHSM with 1, 2 and 4 readers against bare SoftHSM (JSON);
                                      --card p256|rsa2048 and --slots N measure one of them

Roles: ${roles.join(", ")}
Settings come from the environment (DATABASE_URL, PORT, HOST, TESSERA_DATA_DIR, TESSERA_PUBLIC_URL, …);
see the README.`;

async function withApp<T>(run: (app: App) => Promise<T>, overrides: { demo?: boolean; port?: number } = {}) {
  const config = loadConfig({ env: process.env, overrides });
  const app = await createApp(config, {});
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

async function actAs(app: App, username: string): Promise<Actor> {
  const operator = await findOperatorByUsername(app.services.store.db, username);
  if (!operator || operator.disabled) throw usageError(`there is no enabled operator named ${username}`);
  return { id: operator.id, username: operator.username, roles: operator.roles };
}

async function serve(flags: Map<string, string | boolean>): Promise<void> {
  const portFlag = flags.get("port");
  const port = typeof portFlag === "string" ? Number(portFlag) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw usageError("--port needs a port number");
  const demo = flags.has("demo") ? Boolean(flags.get("demo")) : undefined;
  const config = loadConfig({
    env: process.env,
    overrides: { demo, port, interactive: process.stdout.isTTY === true },
  });
  // The demo seeds an office with a past (cards made years ago that end soon) on this clock.
  const clock = createDemoClock();
  const app = await createApp(config, config.demo ? { clock: clock.now } : {});
  const server = await buildServer(app);
  const first = app.firstAdministrator;
  const seeded = config.demo && first?.password ? await seedDemoData(app, first.password, clock) : undefined;
  await server.listen({ host: config.host, port: config.port });
  app.start();

  const url = `http://${config.host === "0.0.0.0" || config.host === "127.0.0.1" ? "localhost" : config.host}:${config.port}`;
  const lines = [``, `Tessera is running at ${url}`];
  if (first?.password && !config.adminPassword)
    lines.push(`First administrator: admin / ${first.password}  (shown once: write it down)`);
  else if (first) lines.push(`First administrator: admin (password from TESSERA_ADMIN_PASSWORD)`);
  else
    lines.push(
      `Log in as admin with the password printed at the first start (lost? npx tessera operators reset-password admin).`,
    );
  if (seeded?.seeded)
    lines.push(
      `Demo data: ${seeded.users} users, ${seeded.cards} cards. The demo operators share that password:`,
      `  ${demoOperatorNames.join(", ")}`,
    );
  // Printed after everything the start-up logs (the log is written synchronously), in a box,
  // so it is the last thing to read.
  process.stdout.write(`\n${frame(lines.filter(Boolean))}\n\n`);

  const stop = async () => {
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Lines in a box of box-drawing characters. */
export function frame(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length));
  return [
    `┌${"─".repeat(width + 2)}┐`,
    ...lines.map((line) => `│ ${line.padEnd(width)} │`),
    `└${"─".repeat(width + 2)}┘`,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    booleans: ["demo", "help", "all-approved", "all-issued", "json"],
    values: [
      "port",
      "username",
      "roles",
      "password",
      "operator",
      "cert",
      "key",
      "key-passphrase",
      "seconds",
      "template",
      "unit",
      "cards",
      "pin-length",
      "puk-length",
      "certificates",
      "card-end-state",
      "certificate-end-state",
      "size",
      "slots",
      "rounds",
      "module",
      "blank-label",
      "card",
      "url",
      "pkcs11-module",
      "token-label",
      "pin-env",
      "key-type",
    ],
  });
  const [command, sub, ...rest] = positional;
  if (!command || flags.get("help")) {
    process.stdout.write(`${usage}\n`);
    return command || flags.get("help") ? 0 : 2;
  }
  switch (command) {
    case "serve":
      await serve(flags);
      return -1;
    case "audit": {
      if (sub !== "verify") throw usageError("try: tessera audit verify");
      return withApp(async (app) => {
        const result = await app.services.audit.verify(app.services.store.db);
        if (result.valid) {
          const anchored = result.lastCheckpoint
            ? ` The checkpoint of ${result.lastCheckpoint.at} confirmed ${result.lastCheckpoint.entries} of them.`
            : " No checkpoint yet: one is signed a minute after new entries, and at shutdown.";
          process.stdout.write(
            `The object history is intact: ${result.entries} entries verified.${anchored}\n`,
          );
          return 0;
        }
        process.stdout.write(
          `The object history is BROKEN at entry ${result.firstBroken!.seq}: ${result.firstBroken!.reason}.\n`,
        );
        return 1;
      });
    }
    case "operators": {
      if (sub === "unlock") {
        const name = rest[0];
        if (!name || rest.length > 1) throw usageError("try: tessera operators unlock NAME");
        return withApp(async (app) => {
          await unlockOperator(app.services, null, name, "command line");
          process.stdout.write(`The login delays of ${name} are cleared.\n`);
          return 0;
        });
      }
      if (sub === "reset-password") {
        const name = rest[0];
        if (!name || rest.length > 1)
          throw usageError("try: tessera operators reset-password NAME [--password P]");
        const given = flags.get("password");
        if (given !== undefined) {
          const checked = passwordSchema.safeParse(given);
          if (!checked.success) throw usageError("--password needs at least 12 characters");
        }
        return withApp(async (app) => {
          const { generated } = await resetOperatorPassword(app.services, {
            username: name,
            password: typeof given === "string" ? given : undefined,
            via: "command line",
          });
          process.stdout.write(
            `The password of ${name} is reset; they are logged out everywhere.${generated ? `\nNew password: ${generated}  (shown once: write it down)` : ""}\n`,
          );
          return 0;
        });
      }
      if (sub !== "create")
        throw usageError(
          "try: tessera operators create --username NAME --roles ROLE, tessera operators unlock NAME, or tessera operators reset-password NAME",
        );
      const username = flags.get("username");
      const roleList = flags.get("roles");
      if (typeof username !== "string" || typeof roleList !== "string")
        throw usageError("--username and --roles are required");
      const wanted = roleList.split(",").map((r) => r.trim());
      const unknown = wanted.filter((r) => !roles.includes(r as Role));
      if (unknown.length)
        throw usageError(`unknown role ${unknown.join(", ")}; roles are ${roles.join(", ")}`);
      const password = flags.get("password");
      return withApp(async (app) => {
        const { operator, password: generated } = await createOperator(app.services, null, {
          username,
          roles: wanted as Role[],
          ...(typeof password === "string" && { password }),
        });
        process.stdout.write(
          `Operator ${operator.username} created with roles ${operator.roles.join(", ")}.${generated ? `\nPassword: ${generated}` : ""}\n`,
        );
        return 0;
      });
    }
    case "batch": {
      const operatorName = flags.get("operator");
      return withApp(async (app) => {
        const actor = await actAs(app, typeof operatorName === "string" ? operatorName : "admin");
        return runBatchCommand(app, sub, flags, actor);
      });
    }
    case "worker": {
      const config = loadConfig({ env: process.env, overrides: { demo: false } });
      const app = await createApp(config);
      app.start();
      process.stdout.write("Tessera worker: producing batch orders; stop with Ctrl-C.\n");
      const stop = async () => {
        await app.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return -1;
    }
    case "bench": {
      const secondsFlag = flags.get("seconds");
      const seconds = typeof secondsFlag === "string" ? Number(secondsFlag) : 5;
      if (!(seconds > 0 && seconds <= 600)) throw usageError("--seconds needs a number from 1 to 600");
      const size = flags.has("size") ? Number(flags.get("size")) : 10_000;
      if (!(Number.isInteger(size) && size > 0 && size <= 1_000_000))
        throw usageError("--size needs a number of cards");
      // `npm run bench` alone measures the batch against its ceiling.
      const part = sub ?? "batch";
      let result: unknown;
      if (part === "ca") result = await benchCaCommand({ seconds });
      else if (part === "pkcs11")
        result = await benchPkcs11Command({
          size: flags.has("size") ? size : 40,
          card: typeof flags.get("card") === "string" ? String(flags.get("card")) : undefined,
          slots: flags.has("slots") ? Number(flags.get("slots")) : undefined,
        });
      else if (part === "batch") {
        const rounds = flags.has("rounds") ? Number(flags.get("rounds")) : 3;
        if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 9 && rounds % 2 === 1))
          throw usageError(
            "--rounds needs an odd whole number from 1 to 9 (the median round's figures are printed)",
          );
        result = await benchBatchCommand({ size, rounds, databaseUrl: process.env.DATABASE_URL });
      } else if (part === "workers")
        result = await benchWorkersCommand({
          size: flags.has("size") ? size : undefined,
          databaseUrl: process.env.DATABASE_URL,
        });
      else if (part === "ui") result = await benchUiCommand({ size: flags.has("size") ? size : 100_000 });
      else if (part === "search")
        result = await benchSearchCommand({
          size: flags.has("size") ? size : 1_000_000,
          databaseUrl: process.env.DATABASE_URL,
        });
      else if (part === "expiry")
        result = await benchExpiryCommand({
          size: flags.has("size") ? size : 100_000,
          databaseUrl: process.env.DATABASE_URL,
        });
      else
        throw usageError(
          "try: npm run bench -- ca | batch | expiry | pkcs11 | search | ui | workers [--size N]",
        );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    case "ca": {
      if (sub === "init") return runCaInitCommand(loadConfig({ env: process.env }), flags);
      const cert = flags.get("cert");
      const key = flags.get("key");
      if (sub !== "import" || typeof cert !== "string" || typeof key !== "string")
        throw usageError(
          "try: tessera ca import --cert ca.pem --key key.pem, or tessera ca init --pkcs11-module PATH --token-label LABEL",
        );
      const read = (file: string) => {
        try {
          return readFileSync(file, "utf8");
        } catch (error) {
          throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        }
      };
      const certificatePem = read(cert);
      const keyPem = read(key);
      const passphrase = flags.get("key-passphrase");
      return withApp(async (app) => {
        const { serial, chainLength } = await importCertificateAuthority(
          app.services.store,
          { certificatePem, keyPem, keyPassphrase: typeof passphrase === "string" ? passphrase : undefined },
          {
            name: app.config.ca.name,
            validityYears: app.config.ca.validityYears,
            publicUrl: app.config.publicUrl,
            keyPassphrase: app.config.secrets.caKeyPassphrase,
          },
          app.services.clock,
        );
        process.stdout.write(
          `CA ${serial} installed${chainLength ? ` with ${chainLength} certificate(s) above it` : ""}; restart Tessera to use it.\n`,
        );
        return 0;
      });
    }
    case "tokens":
      return runTokensCommand(flags);
    case "card":
      return runCardCommand(sub, flags);
    case "users": {
      const file = rest[0] ?? (sub === "import" ? undefined : sub);
      if (sub !== "import" || !file) throw usageError("try: tessera users import FILE.csv");
      let csv: string;
      try {
        csv = readFileSync(file, "utf8");
      } catch (error) {
        throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const operatorName = flags.get("operator");
      return withApp(async (app) => {
        const actor = await actAs(app, typeof operatorName === "string" ? operatorName : "admin");
        const { result } = await runProcess(app.services, actor, "UsersBoProcImport", { csv });
        const { created, errors } = result as { created: number; errors: { line: number; reason: string }[] };
        process.stdout.write(`${created} users created.\n`);
        for (const e of errors) process.stdout.write(`line ${e.line}: ${e.reason}\n`);
        return errors.length > 0 ? 1 : 0;
      });
    }
    default:
      throw usageError(`unknown command ${command}`);
  }
}

// Every command may run batches (serve, worker, batch, bench): see `worker-pool.ts`.
applyProductionHeapGrowing();

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const coded = error instanceof TesseraError ? error : undefined;
    if (coded?.code === "cli.usage") process.stderr.write(`tessera: ${coded.message}\n${usage}\n`);
    else if (coded?.code === "config.invalid") process.stderr.write(`tessera: ${coded.message}\n`);
    else if (isClientError(error)) process.stderr.write(`tessera: ${error.message} (${error.code})\n`);
    else process.stderr.write(`tessera: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(coded?.code === "cli.usage" ? 2 : 1);
  },
);
