import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import pino from "pino";
import { loadCertificateAuthority } from "../ca/certificate-authority.js";
import { createCrlPublisher } from "../ca/crl-publisher.js";
import { type CertificateOrder, recordCertificates, signCertificates } from "../ca/issue-certificates.js";
import { newSerial, serialToHex } from "../pki/index.js";
import { insertCertificates, type NewCertificate } from "../store/certificates.js";
import { openStore, transact } from "../store/database.js";
import { benchCa, benchHolder } from "./bench-issuer.js";
import { rate } from "./measure.js";

/**
 * The bare P-384 signature on every core: one worker thread per core signing certificate-sized
 * data with `crypto.sign` in a tight loop.
 */
async function bareSignRate(seconds: number, key: KeyObject): Promise<number> {
  const pem = key.export({ type: "pkcs8", format: "pem" });
  const code = [
    'const { parentPort, workerData } = require("node:worker_threads");',
    'const { sign, randomBytes, createPrivateKey } = require("node:crypto");',
    "const key = createPrivateKey(workerData.pem);",
    "const data = randomBytes(700);",
    "const until = Date.now() + workerData.ms;",
    "let n = 0;",
    'while (Date.now() < until) { sign("sha384", data, key); n++; }',
    "parentPort.postMessage(n);",
  ].join("\n");
  const counts = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: { pem, ms: seconds * 1000 } });
          worker.once("message", (n: number) => {
            resolve(n);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    ),
  );
  return Math.round(counts.reduce((a, b) => a + b, 0) / seconds);
}

/**
 * `npm run bench -- ca`: certificates per second through the full issuance path (signature
 * and the database record, on SQLite) against the bare P-384 signature on the same cores in
 * the same run, and the CRL at 100,000 revoked entries.
 */
export async function benchCaCommand({ seconds }: { seconds: number }) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tessera-bench-ca-"));
  const store = await openStore({ kind: "sqlite", file: path.join(dataDir, "bench.sqlite") });
  try {
    const clock = () => new Date();
    const ca = await loadCertificateAuthority(
      store,
      {
        name: "Bench CA",
        validityYears: 10,
        publicUrl: "https://id.example.org",
        keyPassphrase: "bench passphrase",
      },
      clock,
    );
    const caKey = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey;
    const holderKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "der",
    });
    const order = (): CertificateOrder => {
      const now = new Date();
      return {
        cardId: null,
        profile: { name: "authentication", kind: "authentication", keyAlgorithm: "P-256" },
        subject: benchHolder,
        publicKey: holderKey,
        notBefore: now,
        notAfter: new Date(now.getTime() + 365 * 86_400_000),
        initialState: "onHold",
      };
    };
    const bareSignPerSecond = await bareSignRate(seconds, caKey);
    // As production does it: certificates signed together (on the thread pool), then recorded
    // in one transaction per group.
    const group = 256;
    const issuePerSecond = await rate(seconds, 1, async () => {
      const signed = await signCertificates(
        ca,
        Array.from({ length: group }, () => order()),
      );
      const at = new Date().toISOString();
      await transact(store, (trx) => recordCertificates(trx, signed, at));
      return group;
    });

    const library = await benchCa({ seconds: Math.max(1, seconds / 2) });

    // 100,000 revoked certificates in the database, then one CRL publication from them.
    const at = new Date().toISOString();
    const rows: NewCertificate[] = Array.from({ length: 100_000 }, () => ({
      serial: serialToHex(newSerial()),
      cardId: null,
      profile: "bench",
      subject: "CN=Bench",
      state: "onHold",
      der: Buffer.alloc(1),
      notBefore: at,
      notAfter: at,
      revokedAt: at,
      revocationReason: "certificateHold",
    }));
    await transact(store, (trx) => insertCertificates(trx, rows, at));
    const crl = createCrlPublisher({ store, ca, clock, nextUpdateHours: 24, log: pino({ level: "silent" }) });
    const started = performance.now();
    const published = await crl.current();
    const crlMsAt100kWithDatabase = Math.round(performance.now() - started);

    return {
      benchmark: "ca",
      cores: availableParallelism(),
      seconds,
      bareP384SignPerSecond: bareSignPerSecond,
      issuePerSecondSqlite: issuePerSecond,
      ratio: Math.round((issuePerSecond / bareSignPerSecond) * 100) / 100,
      target: ">= 0.5",
      library: {
        bareSignOneThreadPerSecond: library.bareSignPerSecond,
        issueOneAtATimePerSecond: library.issuePerSecond,
        issueConcurrentPerSecond: library.issueConcurrentPerSecond,
        crlMsAt100k: library.crlMsAt100k,
      },
      crlMsAt100kWithDatabase,
      crlEntries: published.entries,
      crlBytes: published.der.length,
    };
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
