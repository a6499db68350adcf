import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productionWorkerInit } from "../app.js";
import { decryptPrivateKey } from "../pki/index.js";
import { createWorkFolder } from "../pki/test-kit.js";
import { findCaRecord } from "../store/certificate-authority.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import type { ChunkResult } from "./chunk-job.js";
import { createWorkerPool } from "./worker-pool.js";

/**
 * Issue 9: every production worker was handed the decrypted CA key as PKCS#8 bytes. A worker now
 * gets a signing key it cannot export; this test looks at what a thread really receives.
 */
describe("what a production worker thread receives", () => {
  const folder = createWorkFolder("tessera-worker-init-");
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp("sqlite");
  });
  afterAll(async () => {
    await t.close();
    folder.remove();
  });

  it("holds no private key bytes, and a CA key the thread can sign with but not export", async () => {
    const record = (await findCaRecord(t.app.services.store.db))!;
    const caKey = await decryptPrivateKey(record.privateKey!, "test passphrase for the CA key");
    const pkcs8 = caKey.export({ type: "pkcs8", format: "der" });
    const scalar = Buffer.from(caKey.export({ format: "jwk" }).d!, "base64url");
    // The worker lists every byte array of its workerData, and tries to export and to sign with the key.
    const script = folder.write(
      "inspecting-worker.mjs",
      `import { parentPort, workerData } from "node:worker_threads";
       import { sign, webcrypto } from "node:crypto";
       const bytes = [];
       const walk = (value) => {
         if (value instanceof Uint8Array) bytes.push(Buffer.from(value).toString("hex"));
         else if (Array.isArray(value)) value.forEach(walk);
         else if (value && typeof value === "object" && !(value instanceof globalThis.CryptoKey))
           Object.values(value).forEach(walk);
       };
       walk(workerData);
       const key = workerData.caSigningKey;
       const exported = await webcrypto.subtle.exportKey("pkcs8", key).then(() => "exported", (e) => e.name);
       const signature = sign("sha384", Buffer.from("tbs"), { key, dsaEncoding: "der" });
       parentPort.on("message", ({ job }) => {
         const cards = [{ cardId: JSON.stringify({ bytes, extractable: key.extractable, exported, signed: signature.length > 0 }), ok: false, code: "x", reason: "x", certificates: [], ms: 0 }];
         parentPort.postMessage({ result: { batchId: job.batchId, chunk: job.chunk, cards, pages: 0 } });
       });
       parentPort.postMessage({ ready: true });`,
    );
    const init = productionWorkerInit(t.app.config, t.app.services.ca);
    const pool = createWorkerPool({ size: 1, init, script: pathToFileURL(script) });
    try {
      const result: ChunkResult = await pool.run({ batchId: "b", chunk: 1 } as never);
      const seen = JSON.parse(result.cards[0]!.cardId) as {
        bytes: string[];
        extractable: boolean;
        exported: string;
        signed: boolean;
      };
      expect(seen).toMatchObject({
        extractable: false,
        exported: expect.stringMatching(/InvalidAccess/),
        signed: true,
      });
      // The CA certificate and the PUK key, but nothing that holds the CA's private key.
      expect(seen.bytes.length).toBeGreaterThan(0);
      for (const hex of seen.bytes) {
        expect(hex).not.toContain(pkcs8.toString("hex"));
        expect(hex).not.toContain(scalar.toString("hex"));
      }
    } finally {
      await pool.close();
    }
  });
});
