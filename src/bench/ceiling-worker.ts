import { createHmac, createPrivateKey, hash, pbkdf2Sync, randomBytes, sign } from "node:crypto";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { generateCaKeyDer, generateCardKeyPair } from "../production/card-keys.js";

/**
 * A worker thread of `benchCardCeiling` (see `bench-chunk.ts`): the crypto of one software card
 * in a tight loop, nothing else. Per card, as `produceChunk` does it: two P-256 key pairs (with
 * their DER), two P-384 signatures over certificate-sized data, and the PKCS#12 protection of
 * `pkcs12.ts`: one PBKDF2-HMAC-SHA256 and the RFC 7292 MAC key derivation at the same
 * iterations, and the HMAC over a token-sized AuthenticatedSafe.
 */
export interface CeilingWorkerData {
  readonly cards: number;
  readonly iterations: number;
}

/** From the worker: `{ ready }`, then `{ ms }` once its cards are done after the `go` message. */
export type CeilingReply = { readonly ready: true } | { readonly ms: number };

/** RFC 7292 Appendix B.2 with SHA-256, ID 3, as `pkcs12.ts` derives its MAC key. */
function macKey(password: string, salt: Buffer, iterations: number): Buffer {
  const v = 64;
  const bmp = Buffer.from(`${password}\0`, "utf16le").swap16();
  const repeat = (bytes: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let offset = 0; offset < out.length; offset += bytes.length) bytes.copy(out, offset);
    return out;
  };
  let block = hash("sha256", Buffer.concat([Buffer.alloc(v, 3), repeat(salt), repeat(bmp)]), "buffer");
  for (let i = 1; i < iterations; i++) block = hash("sha256", block, "buffer");
  return block;
}

function run(port: NonNullable<typeof parentPort>, { cards, iterations }: CeilingWorkerData): void {
  // Made from DER, not kept from the generator: see `card-keys.ts` on Node 20's keygen deadlock.
  const caKey = createPrivateKey({ key: generateCaKeyDer(), format: "der", type: "pkcs8" });
  const signingKey = { key: caKey, dsaEncoding: "der" as const };
  // A card certificate's TBS is ≈ 600–700 bytes; a two-key token's AuthenticatedSafe ≈ 2.5 KB.
  const tbs = randomBytes(680);
  const authenticatedSafe = randomBytes(2_600);
  let sink = 0;
  port.once("message", () => {
    const start = performance.now();
    for (let card = 0; card < cards; card++) {
      for (let key = 0; key < 2; key++) sink += generateCardKeyPair("P-256").publicKeySpki.length;
      for (let signature = 0; signature < 2; signature++) sink += sign("sha384", tbs, signingKey).length;
      const pin = String(100_000 + (card % 900_000));
      const salt = randomBytes(16);
      sink += pbkdf2Sync(pin, salt, iterations, 32, "sha256").length;
      sink += createHmac("sha256", macKey(pin, salt, iterations))
        .update(authenticatedSafe)
        .digest().length;
    }
    // `sink` keeps the work from being optimized away.
    port.postMessage({ ms: performance.now() - start + (sink < 0 ? 1 : 0) } satisfies CeilingReply);
  });
  port.postMessage({ ready: true } satisfies CeilingReply);
}

if (!isMainThread && parentPort) run(parentPort, workerData as CeilingWorkerData);
