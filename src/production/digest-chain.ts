import { hash } from "node:crypto";

/**
 * A digest applied `times` times over: `block`, H(block), H(H(block)), … — the chain of RFC 7292
 * Appendix B.2 step 2 that every PKCS#12 MAC key (and every legacy PKCS#12 key) comes from.
 *
 * Why SHA-256 of a 32-byte block has a code path of its own: the modern format's MAC chain is
 * 2,047 digests of the previous digest, and through `crypto.hash` each costs ≈ 1.4 µs on this
 * project's machines — the call into C++, a new ArrayBuffer for 32 bytes, and V8's helper
 * threads sweeping those buffers afterwards — where the compression itself is a fraction of it.
 * It was most of a software card's cost. The FIPS 180-4 compression below runs on 32-bit
 * integers in place, ≈ 0.27 µs a digest once V8 has optimized it, with no buffer per digest.
 * It uses only additions, shifts and bitwise operations, with no branch and no table index
 * that depends on the data. JavaScript promises no constant time (V8 may box an intermediate
 * sum before it optimizes), but what varies is far below what matters here: a 6-digit PIN can
 * be guessed offline from the token file itself. SHA-1 of a 20-byte block, the legacy format's
 * chain (ten of them per card), gets the same.
 * `digest-chain.test.ts` holds both to `crypto.hash`; other digests and lengths take that path.
 */
export function iterateDigest(name: string, block: Buffer, times: number): Buffer {
  if (name === "sha256" && block.length === 32) return iterateInPlace(block, times, sha256Of32);
  if (name === "sha1" && block.length === 20) return iterateInPlace(block, times, sha1Of20);
  let out = block;
  for (let i = 0; i < times; i++) out = hash(name, out, "buffer");
  return out;
}

/** `times` applications of `digest`, which replaces a block's big-endian words with their digest's. */
function iterateInPlace(block: Buffer, times: number, digest: (words: Int32Array) => void): Buffer {
  const words = new Int32Array(block.length / 4);
  for (let i = 0; i < words.length; i++) words[i] = block.readInt32BE(i * 4);
  for (let i = 0; i < times; i++) digest(words);
  const out = Buffer.allocUnsafe(block.length);
  for (let i = 0; i < words.length; i++) out.writeInt32BE(words[i]!, i * 4);
  // The schedules held the chain's last inputs, one digest from a key: nothing of it stays behind.
  schedule.fill(0);
  sha1Schedule.fill(0);
  words.fill(0);
  return out;
}

/** FIPS 180-4 §6.2.2 round constants. */
const k = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** FIPS 180-4 §5.3.3 initial hash value. */
const initial = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const schedule = new Int32Array(64);

/**
 * Writes the padded block of a message shorter than 56 bytes, given as big-endian `words`, into
 * the first 16 words of `w` (§5.1.1, the same for SHA-1 and SHA-256): the message, the 0x80
 * byte, zeros, and the message's length in bits as the last word.
 */
function padOneBlock(w: Int32Array, words: Int32Array): void {
  w.set(words);
  w[words.length] = 0x80000000;
  w.fill(0, words.length + 1, 15);
  w[15] = words.length * 32;
}

/**
 * Replaces the 8 big-endian words of `words` (a 32-byte message, one padded block) with their
 * SHA-256 digest.
 */
function sha256Of32(words: Int32Array): void {
  const w = schedule;
  padOneBlock(w, words);
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = initial[0]!;
  let b = initial[1]!;
  let c = initial[2]!;
  let d = initial[3]!;
  let e = initial[4]!;
  let f = initial[5]!;
  let g = initial[6]!;
  let h = initial[7]!;
  for (let i = 0; i < 64; i++) {
    const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sum1 + ((e & f) ^ (~e & g)) + k[i]! + w[i]!) | 0;
    const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  words[0] = (a + initial[0]!) | 0;
  words[1] = (b + initial[1]!) | 0;
  words[2] = (c + initial[2]!) | 0;
  words[3] = (d + initial[3]!) | 0;
  words[4] = (e + initial[4]!) | 0;
  words[5] = (f + initial[5]!) | 0;
  words[6] = (g + initial[6]!) | 0;
  words[7] = (h + initial[7]!) | 0;
}

const sha1Schedule = new Int32Array(80);

/**
 * Replaces the 5 big-endian words of `words` (a 20-byte message, one padded block) with their
 * SHA-1 digest (FIPS 180-4 §6.1.2).
 */
function sha1Of20(words: Int32Array): void {
  const w = sha1Schedule;
  padOneBlock(w, words);
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    w[i] = (x << 1) | (x >>> 31);
  }
  // FIPS 180-4 §5.3.1 initial hash value, as signed 32-bit integers.
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  let e = 0xc3d2e1f0 | 0;
  for (let i = 0; i < 80; i++) {
    const f =
      i < 20
        ? ((b & c) | (~b & d)) + 0x5a827999
        : i < 40
          ? (b ^ c ^ d) + 0x6ed9eba1
          : i < 60
            ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
            : (b ^ c ^ d) + 0xca62c1d6;
    const t = (((a << 5) | (a >>> 27)) + f + e + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  words[0] = (a + 0x67452301) | 0;
  words[1] = (b + 0xefcdab89) | 0;
  words[2] = (c + 0x98badcfe) | 0;
  words[3] = (d + 0x10325476) | 0;
  words[4] = (e + 0xc3d2e1f0) | 0;
}
