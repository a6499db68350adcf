import { randomFillSync } from "node:crypto";

/**
 * Random bytes for values that are made public as soon as they are used: certificate serial
 * numbers, salts, IVs. They come from the same CSPRNG as `crypto.randomBytes`, drawn 4 KiB at a
 * time: each `randomBytes` call costs a few microseconds of set-up whatever its size (≈ 10 µs
 * on a busy core here), and a software card needs eight such values. Never use it for keys or
 * other secrets: the unused rest of the block stays in memory until it is handed out.
 *
 * The block is module state on purpose, as Node keeps the cache behind `crypto.randomInt`: it
 * holds no configuration and no dependency, only bytes not yet handed out. Each thread has its
 * own (a module instance per thread), so no two callers ever receive the same bytes.
 */
export function publicRandomBytes(size: number): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > blockSize)
    throw new RangeError(`size out of range: ${size}`);
  if (used + size > blockSize) {
    randomFillSync(block);
    used = 0;
  }
  // A copy, so a caller that changes its bytes changes nothing else.
  const bytes = Buffer.from(block.subarray(used, used + size));
  used += size;
  return bytes;
}

const blockSize = 4096;
const block = Buffer.allocUnsafeSlow(blockSize);
/** Starts full: the first call fills the block. */
let used = blockSize;
