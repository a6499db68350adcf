import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pkcs11js from "pkcs11js";
import { type CertificateProfile, cardTemplateSchema, demoTemplates } from "../domain/card-template.js";
import { TesseraError } from "../domain/errors.js";
import { roles } from "../domain/roles.js";
import { openTokenSession } from "../pkcs11/card-token.js";
import { keyPairTemplates } from "../pkcs11/key-pair-templates.js";
import { loadPkcs11Module, type Pkcs11Module } from "../pkcs11/pkcs11-module.js";
import { createCaCertificate, createKeySigner, generateCaKey } from "../pki/index.js";
import { runProcess } from "../processes/registry.js";
import { createReaderSlots } from "../production/reader-slots.js";
import type { Actor } from "../services/services.js";
import { findBatch } from "../store/batches.js";
import { insertBenchHolders } from "../store/bench-holders.js";
import { findOperatorByUsername } from "../store/operators.js";
import { withBenchApp } from "./bench-app.js";
import { round } from "./measure.js";

const softHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
const transportSoPin = "12345678";
const transportUserPin = "1234";

/** The two kinds of chip card measured: the staff card's two P-256 keys, the badge's one RSA-2048 key. */
const kinds: { name: string; profiles: CertificateProfile[] }[] = [
  {
    name: "P-256",
    profiles: [
      { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" },
      { name: "signature", kind: "signature", keyAlgorithm: "P-256" },
    ],
  },
  {
    name: "RSA-2048",
    profiles: [{ name: "authentication", kind: "authentication", keyAlgorithm: "RSA-2048" }],
  },
];
const slotCounts = [1, 2, 4];

/** A SoftHSM token folder of its own with `count` blank cards, in tmpfs when there is one. */
function blankCards(count: number): { conf: string; remove(): void } {
  const base = mkdtempSync(
    path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "tessera-bench-softhsm-"),
  );
  const tokens = path.join(base, "tokens");
  mkdirSync(tokens);
  const conf = path.join(base, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  for (let i = 1; i <= count; i++)
    execFileSync(
      "softhsm2-util",
      [
        "--init-token",
        "--free",
        "--label",
        `blank-${i}`,
        "--so-pin",
        transportSoPin,
        "--pin",
        transportUserPin,
      ],
      { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" },
    );
  return { conf, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/**
 * The bare rate: key pairs of the card's profiles generated on one token from `slots` sessions
 * at once, nothing else — what SoftHSM can do on these cores. In cards per second.
 */
async function bareRate(profiles: CertificateProfile[], slots: number, cards: number): Promise<number> {
  const folder = blankCards(1);
  process.env.SOFTHSM2_CONF = folder.conf;
  const module = loadPkcs11Module(softHsmModule);
  try {
    const [token] = module.listTokens().filter((candidate) => candidate.serial !== "");
    // Login is per token for the whole application: one logged-in session lets the plain ones
    // make private keys.
    const login = openTokenSession(module, token!.serial, { as: "user", pin: transportUserPin });
    const handles = Array.from({ length: slots }, () =>
      module.api.C_OpenSession(token!.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION),
    );
    let next = 0;
    const started = performance.now();
    await Promise.all(
      handles.map(async (handle) => {
        while (next++ < cards)
          for (const profile of profiles) {
            const templates = keyPairTemplates(profile, "bench");
            await module.api.C_GenerateKeyPairAsync(
              handle,
              templates.mechanism,
              templates.publicKey,
              templates.privateKey,
            );
          }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const handle of handles) module.api.C_CloseSession(handle);
    login.close();
    return cards / seconds;
  } finally {
    module.close();
    folder.remove();
  }
}

/**
 * The bare personalisation rate: the PKCS#11 calls a chip card takes — initialise the token, the
 * PUK as SO PIN and the PIN, the key pairs, the certificates and the CA certificate written —
 * in the same structure as production (`slots` readers, each card's calls in its reader's
 * thread, the token serials known beforehand) with nothing of Tessera around them (no database,
 * CA, PDF, journal). The challenge each signing key signs in production is left out: checking it
 * needs a certificate of that key. In cards per second.
 */
async function barePersonalisationRate(profiles: CertificateProfile[], slots: number, cards: number) {
  const folder = blankCards(cards);
  process.env.SOFTHSM2_CONF = folder.conf;
  const module = loadPkcs11Module(softHsmModule);
  const readers = createReaderSlots(slots, softHsmModule);
  const certificate = await createCaCertificate({
    subjectName: [{ type: "CN", value: "Bench card" }],
    signer: createKeySigner(generateCaKey()),
    notBefore: new Date(),
  });
  try {
    const serials = module.listTokens().flatMap((token) => (token.serial ? [token.serial] : []));
    // Each reader's thread started and its module loaded, as on a station that has made a card.
    await Promise.all(
      Array.from({ length: slots }, async () => {
        const reader = await readers.take();
        await reader.thread.listTokens();
        return reader;
      }),
    ).then((taken) => {
      for (const reader of taken) reader.release();
    });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: slots }, async () => {
        for (let serial = serials[next++]; serial !== undefined; serial = serials[next++]) {
          const { thread, release } = await readers.take();
          await thread.setUp({
            serial,
            soPins: [transportSoPin],
            label: `bench ${serial}`,
            puk: "87654321",
            pin: "246810",
          });
          for (const profile of profiles) {
            const key = await thread.generateKeyPair(profile);
            await thread.writeCertificate({ der: certificate, label: profile.name, id: key.id });
          }
          await thread.finish({ cardNumber: serial, caCertificates: [certificate], keys: [] });
          release();
        }
      }),
    );
    return serials.length / ((performance.now() - started) / 1000);
  } finally {
    await readers.close();
    module.close();
    folder.remove();
  }
}

/** Wall time spent on this thread in each PKCS#11 function, summed over all cards (ms). */
function timeModuleCalls(module: Pkcs11Module): Map<string, number> {
  const spent = new Map<string, number>();
  const api = module.api as unknown as Record<string, unknown>;
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(module.api); proto; proto = Object.getPrototypeOf(proto))
    for (const name of Object.getOwnPropertyNames(proto)) if (name.startsWith("C_")) names.add(name);
  for (const name of names) {
    const original = api[name];
    if (typeof original !== "function") continue;
    api[name] = (...args: unknown[]) => {
      const started = performance.now();
      const count = () => spent.set(name, (spent.get(name) ?? 0) + performance.now() - started);
      const result = (original as (...a: unknown[]) => unknown).apply(module.api, args);
      if (result instanceof Promise) return result.finally(count);
      count();
      return result;
    };
  }
  return spent;
}

/** The chip cards of `profiles` produced through the whole batch path with `slots` readers. */
async function pipelineRate(profiles: CertificateProfile[], slots: number, cards: number) {
  const folder = blankCards(cards + 1);
  process.env.SOFTHSM2_CONF = folder.conf;
  process.env.TESSERA_TRANSPORT_SO_PIN = transportSoPin;
  const template = cardTemplateSchema.parse({
    ...demoTemplates[0],
    // The bench's holders are inserted with this template's name.
    name: "Employee ID",
    profiles,
    encoder: "pkcs11",
    pkcs11: { module: softHsmModule, blankLabel: "^blank-", readers: slots },
  });
  const configFile = path.join(path.dirname(folder.conf), "tessera.json");
  writeFileSync(configFile, JSON.stringify({ templates: [template] }));
  try {
    return await withBenchApp(
      "pkcs11",
      {
        env: {
          ...process.env,
          TESSERA_CONFIG: configFile,
          TESSERA_PUBLIC_URL: "https://id.example.org",
          TESSERA_BATCH_CHUNK_SIZE: "20",
          TESSERA_WORKERS: "1",
          DATABASE_URL: "",
          LOG_LEVEL: "warn",
        },
        logLevel: "warn",
      },
      async (app) => {
        const spentHere = timeModuleCalls(app.services.chipStation.moduleFor(template.pkcs11!));
        const admin = (await findOperatorByUsername(app.services.store.db, "admin"))!;
        const actor: Actor = { id: admin.id, username: "admin", roles: [...roles] };
        await insertBenchHolders(app.services.store, cards);
        const started = performance.now();
        const { result } = await runProcess(app.services, actor, "CardsBoProcIssueMultiple", {
          filter: { template: "Employee ID" },
          options: { pinLength: 6, certificateEndState: "onHold" },
        });
        app.runner.start();
        await app.runner.idle();
        const seconds = (performance.now() - started) / 1000;
        // The cards' calls run in the readers' threads; any left on this thread count too.
        const spent = await app.services.chipStation.readersFor(template.pkcs11!).callTimes();
        for (const [name, ms] of spentHere) spent.set(name, (spent.get(name) ?? 0) + ms);
        const batch = (await findBatch(app.services.store.db, (result as { batchId: string }).batchId))!;
        if (batch.done !== cards)
          throw new Error(`the bench batch made ${batch.done} of ${cards} cards (${batch.failed} failed)`);
        const perCard = (ms: number) => round(ms / cards, 2);
        const module = [...spent.entries()].sort((a, b) => b[1] - a[1]);
        const inModule = module.reduce((sum, [, ms]) => sum + ms, 0);
        return {
          cardsPerSecond: round(cards / seconds, 1),
          msPerCard: perCard(seconds * 1000),
          /** Wall ms per card inside each PKCS#11 function (concurrent slots overlap). */
          moduleMsPerCard: Object.fromEntries(
            module.filter(([, ms]) => ms / cards >= 0.05).map(([name, ms]) => [name, perCard(ms)]),
          ),
          outsideModuleMsPerCard: perCard(Math.max(0, seconds * 1000 * slots - inModule)),
        };
      },
    );
  } finally {
    delete process.env.TESSERA_TRANSPORT_SO_PIN;
    folder.remove();
  }
}

/**
 * `npm run bench -- pkcs11 [--size N] [--card p256|rsa2048] [--slots N]`: chip cards produced through the whole batch path (order,
 * claim, journal, personalisation on SoftHSM, certificates, PIN letters, records) with 1, 2 and 4
 * readers, for a card of two P-256 keys and one of an RSA-2048 key, each next to the bare
 * SoftHSM key-generation rate measured in the same run with as many sessions. SoftHSM's tokens
 * are in tmpfs (/dev/shm) where there is one.
 */
export async function benchPkcs11Command({
  size,
  card,
  slots: onlySlots,
}: {
  size: number;
  /** Only this kind of card (`p256`, `rsa2048`): to iterate on one figure. */
  card?: string | undefined;
  /** Only this many readers. */
  slots?: number | undefined;
}) {
  if (!existsSync(softHsmModule))
    throw new TesseraError(
      "cli.usage",
      `bench pkcs11 needs SoftHSM (${softHsmModule}): apt-get install softhsm2`,
    );
  const kindKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");
  const chosenKinds =
    card === undefined ? kinds : kinds.filter((kind) => kindKey(kind.name) === kindKey(card));
  if (chosenKinds.length === 0)
    throw new TesseraError(
      "cli.usage",
      `bench pkcs11 --card takes ${kinds.map((kind) => kindKey(kind.name)).join(" or ")}, not ${card}.`,
    );
  if (onlySlots !== undefined && !(Number.isInteger(onlySlots) && onlySlots >= 1 && onlySlots <= 16))
    throw new TesseraError("cli.usage", "bench pkcs11 --slots takes a number of readers from 1 to 16.");
  const results = [];
  for (const kind of chosenKinds) {
    // RSA keys take SoftHSM a tenth of a second or more each: fewer cards measure it as well.
    const cards = kind.name === "RSA-2048" ? Math.max(8, Math.round(size / 2)) : size;
    for (const slots of onlySlots === undefined ? slotCounts : [onlySlots]) {
      const keyGeneration = await bareRate(kind.profiles, slots, cards);
      const personalisation = await barePersonalisationRate(kind.profiles, slots, cards);
      const pipeline = await pipelineRate(kind.profiles, slots, cards);
      results.push({
        card: kind.name,
        keysPerCard: kind.profiles.length,
        slots,
        cards,
        bareKeyGenerationCardsPerSecond: round(keyGeneration, 1),
        barePersonalisationCardsPerSecond: round(personalisation, 1),
        ...pipeline,
        ratioToKeyGeneration: round(pipeline.cardsPerSecond / keyGeneration, 2),
        ratioToPersonalisation: round(pipeline.cardsPerSecond / personalisation, 2),
      });
    }
  }
  return {
    bench: "pkcs11",
    tokens: existsSync("/dev/shm") ? "tmpfs (/dev/shm)" : "disk",
    target: "ratioToKeyGeneration ≥ 0.7 with 2 slots",
    results,
  };
}
