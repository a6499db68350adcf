import { randomFillSync } from "node:crypto";

/**
 * The id of a new row (a card, a holder, a batch…): a UUID version 7 (RFC 9562 §5.7), the
 * milliseconds since 1970 in its first 48 bits, a counter in the 12 bits after the version
 * (§6.2, method 1) and 62 random bits.
 *
 * Random (version 4) ids scatter a batch's rows over every page of each index they are in: a
 * chunk of 250 cards rewrote nearly all pages of the cards-by-holder, certificates-by-card,
 * tokens and history-by-object indexes on each commit, so the database's write-ahead log grew
 * with the tables (≈ 1,800 pages a chunk at 10,000 cards, most of them index pages). Ids that
 * grow with time keep the cards a batch takes in request order next to each other in those
 * indexes. The ids stay unguessable (62 random bits) and are UUIDs as before.
 *
 * Within one process ids only grow: in the same millisecond, or when the clock steps back, the
 * counter goes on from the last id; when it overflows, the next millisecond is borrowed.
 */
export function newRowId(now: number = Date.now()): string {
  if (now > last.ms) {
    last.ms = now;
    // Started in the lower half, so a burst in one millisecond rarely borrows the next.
    last.counter = random(2) & 0x7ff;
  } else if (++last.counter > 0xfff) {
    last.ms++;
    last.counter = 0;
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(last.ms, 0, 6);
  bytes.writeUInt16BE(0x7000 | last.counter, 6);
  randomFillSync(bytes, 8, 8);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const last = { ms: 0, counter: 0 };

function random(bytes: number): number {
  return randomFillSync(Buffer.alloc(bytes)).readUIntBE(0, bytes);
}
