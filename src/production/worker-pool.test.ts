import { X509Certificate } from "node:crypto";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TesseraError } from "../domain/errors.js";
import { createWorkFolder } from "../pki/test-kit.js";
import type { WorkerInit } from "./chunk-job.js";
import { verifyPkcs12Mac } from "./pkcs12.js";
import { createTestInit, testCard, testJob } from "./test-kit.js";
import { createWorkerPool, type WorkerPool } from "./worker-pool.js";

describe("createWorkerPool", () => {
  const folder = createWorkFolder("tessera-pool-");
  let init: WorkerInit;
  const pools: WorkerPool[] = [];
  const pool = (options: Parameters<typeof createWorkerPool>[0]) => {
    const created = createWorkerPool(options);
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    init = await createTestInit();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    folder.remove();
  });

  it("runs four chunks on two threads and brings each result back in one transferred buffer", async () => {
    const workers = pool({ size: 2, init });
    expect(workers.size).toBe(2);
    const jobs = [1, 2, 3, 4].map((chunk) =>
      testJob(folder.dir, chunk, [testCard("Employee ID"), testCard("Employee ID"), testCard("Employee ID")]),
    );
    const results = await Promise.all(jobs.map((job) => workers.run(job)));
    for (const [i, result] of results.entries()) {
      expect(result).toMatchObject({ batchId: "batch-1", chunk: i + 1, pages: 3 });
      expect(result.cards.map((card) => card.cardId)).toEqual(jobs[i]!.cards.map((card) => card.cardId));
      const memory = result.cards[0]!.ok ? result.cards[0]!.token!.buffer : undefined;
      for (const card of result.cards) {
        if (!card.ok) throw new Error(`card ${card.cardId} failed: ${card.reason}`);
        expect(card.token!.buffer).toBe(memory);
        expect(card.certificates).toHaveLength(2);
        for (const certificate of card.certificates) {
          expect(certificate.der.buffer).toBe(memory);
          expect(new X509Certificate(certificate.der).subject).toContain("CN=Ada Lovelace");
        }
        // The token is a PKCS#12 file whose MAC a wrong PIN does not open.
        expect(verifyPkcs12Mac(Buffer.from(card.token!), "not-the-pin").valid).toBe(false);
      }
    }
  });

  it("rejects a job that throws with its code, and the thread goes on with the next", async () => {
    const workers = pool({ size: 1, init });
    const bad = workers.run(testJob(folder.dir, 11, [testCard("Employee ID")], { pukLength: 40 }));
    const good = workers.run(testJob(folder.dir, 12, [testCard("Employee ID")]));
    await expect(bad).rejects.toBeInstanceOf(TesseraError);
    await expect(bad).rejects.toMatchObject({ code: "production.options_invalid", message: /PUK length/ });
    await expect(good).resolves.toMatchObject({ chunk: 12, pages: 1 });
  });

  it("reports a worker that cannot build its context on every job, without restarting it", async () => {
    const workers = pool({ size: 1, init: { ...init, caSigningKey: {} as WorkerInit["caSigningKey"] } });
    for (const chunk of [21, 22]) {
      await expect(workers.run(testJob(folder.dir, chunk, [testCard("Employee ID")]))).rejects.toMatchObject({
        code: "ca.key_unsupported",
        message: /cannot start/,
      });
    }
  });

  it("replaces a thread that dies, rejecting only the chunk it held", async () => {
    const script = folder.write(
      "dying-worker.mjs",
      `import { parentPort } from "node:worker_threads";
       parentPort.on("message", ({ job }) => {
         if (job.batchId === "die") process.exit(7);
         parentPort.postMessage({ result: { batchId: job.batchId, chunk: job.chunk, cards: [], pages: 0 } });
       });
       parentPort.postMessage({ ready: true });`,
    );
    const workers = pool({ size: 1, init, script: pathToFileURL(script) });
    const dying = workers.run(testJob(folder.dir, 31, [], { batchId: "die" }));
    const after = workers.run(testJob(folder.dir, 32, [], { batchId: "after" }));
    await expect(dying).rejects.toThrow(
      /worker stopped \(exit code 7\) while producing chunk 31 of batch die/,
    );
    await expect(after).resolves.toMatchObject({ batchId: "after", chunk: 32 });
  });

  it("hands a thread its next chunk while it produces one, so it never waits on a busy main thread", async () => {
    // The thread answers once a second chunk has reached it (or after 2 s): `pages` says how
    // many chunks it held when it answered.
    const script = folder.write(
      "pipelined-worker.mjs",
      `import { parentPort } from "node:worker_threads";
       const held = [];
       const answerAll = () => {
         const pages = held.length;
         for (const job of held.splice(0))
           parentPort.postMessage({ result: { batchId: job.batchId, chunk: job.chunk, cards: [], pages } });
       };
       parentPort.on("message", ({ job }) => {
         held.push(job);
         if (held.length === 1) setTimeout(() => held.length > 0 && answerAll(), 2000);
         else answerAll();
       });
       parentPort.postMessage({ ready: true });`,
    );
    const workers = pool({ size: 1, init, script: pathToFileURL(script) });
    const first = workers.run(testJob(folder.dir, 61, []));
    const second = workers.run(testJob(folder.dir, 62, []));
    await expect(first).resolves.toMatchObject({ chunk: 61, pages: 2 });
    await expect(second).resolves.toMatchObject({ chunk: 62 });
  });

  it("fails every job at once when its threads cannot start", async () => {
    const script = folder.write("broken-worker.mjs", `throw new Error("no such module");`);
    const workers = pool({ size: 2, init, script: pathToFileURL(script) });
    await expect(workers.run(testJob(folder.dir, 41, []))).rejects.toThrow(/could not start.*no such module/);
    await expect(workers.run(testJob(folder.dir, 42, []))).rejects.toThrow(/could not start/);
  });

  it("close() ends the threads: running and queued chunks are rejected, later ones refused", async () => {
    const script = folder.write(
      "slow-worker.mjs",
      `import { parentPort } from "node:worker_threads";
       parentPort.on("message", () => {});
       parentPort.postMessage({ ready: true });`,
    );
    const workers = createWorkerPool({ size: 1, init, script: pathToFileURL(script) });
    const running = workers.run(testJob(folder.dir, 51, []));
    const queued = workers.run(testJob(folder.dir, 52, []));
    // Observed before close() rejects them, so neither counts as unhandled.
    void Promise.allSettled([running, queued]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await workers.close();
    await expect(running).rejects.toThrow(/closed while producing chunk 51/);
    await expect(queued).rejects.toThrow(/closed before the chunk was started/);
    await expect(workers.run(testJob(folder.dir, 53, []))).rejects.toThrow(/pool is closed/);
  });
});
