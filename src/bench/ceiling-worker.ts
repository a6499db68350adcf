import { createCipheriv, createHmac, createPrivateKey, pbkdf2Sync, randomBytes, sign } from "node:crypto";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { publicRandomBytes } from "../pki/public-random.js";
import { generateCaKeyDer, generateCardKeyPair } from "../production/card-keys.js";
import { derivePkcs12Key, KeyPurpose, sha256Digest } from "../production/pkcs12-legacy.js";

/**
 * A worker thread of `benchCardCeiling` (see `bench-chunk.ts`): the crypto of one software card
 * in a tight loop, nothing else. Per card, as `produceChunk` does it: two P-256 key pairs (with
 * their DER), two P-384 signatures over certificate-sized data, and the PKCS#12 protection of
 * `pkcs12.ts`: one PBKDF2-HMAC-SHA256, the AES-256-CBC encryption of the certificate bags and
 * of both key bags, the RFC 7292 MAC key derivation (`pkcs12.ts`'s own) at the same
 * iterations, and the HMAC over a token-sized AuthenticatedSafe.
 */
export interface CeilingWorkerData {
  /**
   * One Int32 shared by every thread of the run: the cards not yet taken. Each thread takes the
   * next card from it until none is left, so the threads end within one card of each other, as
   * a batch's threads do by taking chunks; fixed shares would leave one core idle at the end
   * whenever one thread ran slower, and understate the ceiling by that tail.
   */
  readonly remaining: SharedArrayBuffer;
  readonly iterations: number;
}

/**
 * From the worker: `{ ready }`, then, after the `go` message, `{ cards, sink }` once no card is
 * left to take (the caller times the run itself; `sink` keeps the work from being optimized away).
 */
export type CeilingReply = { readonly ready: true } | { readonly cards: number; readonly sink: number };

function run(port: NonNullable<typeof parentPort>, { remaining, iterations }: CeilingWorkerData): void {
  const left = new Int32Array(remaining);
  // Made from DER, not kept from the generator: see `card-keys.ts` on Node 20's keygen deadlock.
  const caKey = createPrivateKey({ key: generateCaKeyDer(), format: "der", type: "pkcs8" });
  const signingKey = { key: caKey, dsaEncoding: "der" as const };
  // A card certificate's TBS is ≈ 600–700 bytes; a two-key token's AuthenticatedSafe ≈ 2.5 KB.
  const tbs = randomBytes(680);
  // The SafeContents of a token's certificate bags ≈ 2.2 KB; a PKCS#8 P-256 key 138 bytes.
  const certificateBags = randomBytes(2_200);
  const privateKey = randomBytes(138);
  const authenticatedSafe = randomBytes(2_600);
  const encrypt = (key: Buffer, plaintext: Buffer) => {
    const cipher = createCipheriv("aes-256-cbc", key, publicRandomBytes(16));
    return cipher.update(plaintext).length + cipher.final().length;
  };
  let sink = 0;
  port.once("message", () => {
    let cards = 0;
    // `Atomics.sub` answers the count before it took one: above 0, a card was there to take.
    while (Atomics.sub(left, 0, 1) > 0) {
      const card = cards++;
      for (let key = 0; key < 2; key++) sink += generateCardKeyPair("P-256").publicKeySpki.length;
      for (let signature = 0; signature < 2; signature++) sink += sign("sha384", tbs, signingKey).length;
      const pin = String(100_000 + (card % 900_000));
      const salt = publicRandomBytes(16);
      const key = pbkdf2Sync(pin, salt, iterations, 32, "sha256");
      sink += encrypt(key, certificateBags) + encrypt(key, privateKey) + encrypt(key, privateKey);
      const macSalt = publicRandomBytes(16);
      const macKey = derivePkcs12Key(sha256Digest, KeyPurpose.macKey, pin, macSalt, iterations, 32);
      sink += createHmac("sha256", macKey).update(authenticatedSafe).digest().length;
    }
    port.postMessage({ cards, sink } satisfies CeilingReply);
  });
  port.postMessage({ ready: true } satisfies CeilingReply);
}

if (!isMainThread && parentPort) run(parentPort, workerData as CeilingWorkerData);
