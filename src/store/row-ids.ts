import { randomUUID } from "node:crypto";

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
 * Within one thread ids only grow: in the same millisecond, or when the clock steps back, the
 * counter goes on from the last id; when it overflows, the next millisecond is borrowed. (Each
 * thread has its own counter; rows are made on the main thread.)
 *
 * The random bits are a version 4 UUID's, whose variant sits where version 7's does: Node draws
 * those from a cache of random bytes, where a call for eight bytes costs several microseconds.
 */
export function newRowId(now: number = Date.now()): string {
  // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: V is the variant (10xx), the x are random.
  const random = randomUUID();
  if (now > last.ms) {
    last.ms = now;
    // Started in the lower half, so a burst in one millisecond rarely borrows the next.
    last.counter = Number.parseInt(random.slice(0, 3), 16) & 0x7ff;
  } else if (++last.counter > 0xfff) {
    last.ms++;
    last.counter = 0;
  }
  const time = last.ms.toString(16).padStart(12, "0");
  const counter = last.counter.toString(16).padStart(3, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter}-${random.slice(19)}`;
}

const last = { ms: 0, counter: 0 };
