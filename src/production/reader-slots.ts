import type { TokenInfo } from "../pkcs11/pkcs11-module.js";
import { createReaderThread, type ReaderThread } from "./reader-thread.js";

/**
 * The readers of one kind of card at a station: at most `size` cards are worked on at once,
 * whichever chunk or batch they belong to, or a PIN process. A card waits for a free reader in
 * `take`, works in that reader's thread, and gives the reader back with `release` (once; later
 * calls do nothing).
 */
export interface ReaderSlots {
  readonly size: number;
  /**
   * Blank tokens the last look through these readers found, in slot order, that no card has
   * been given yet: one look, which reads every slot, serves the cards of every chunk after it
   * (`chip-encoder.ts` takes them from here, checking each again before it is journalled).
   */
  readonly blankTokens: TokenInfo[];
  /** Cards waiting now for a blank card to be put in these readers. */
  waitingForBlankCard: number;
  /**
   * Chips an interrupted card was on that no longer answered when it was redone: never taken as
   * blank cards while the station runs, whatever their labels say.
   */
  readonly setAside: Set<string>;
  /**
   * Starts every reader's thread (a station opening) rather than with the card that first takes
   * it; resolves once each has loaded the module and read its slots.
   */
  start(): Promise<void>;
  /** A free reader, for a card whose token is picked in it (a blank card of a batch). */
  take(): Promise<TakenReader>;
  /**
   * A free reader for work on the token `serial`, once no other work holds that token: a
   * token's logins are shared by every session of this process (PKCS#11 §5.6, C_Login), so two
   * PIN processes on one card at once would log each other out or be refused.
   */
  takeForToken(serial: string): Promise<TakenReader>;
  /** The milliseconds the readers' threads spent in each C_* function, by name, summed. */
  callTimes(): Promise<Map<string, number>>;
  /** Stops the readers' threads (a card still in one is rejected). */
  close(): Promise<void>;
}

export interface TakenReader {
  /** Where the card's PKCS#11 calls run: off the main thread, beside the other readers'. */
  readonly thread: ReaderThread;
  release(): void;
}

/**
 * `size` readers of the module at `modulePath`, which this process has already loaded on its
 * main thread. A reader's thread starts with `start` or when a card first takes it.
 */
export function createReaderSlots(size: number, modulePath: string): ReaderSlots {
  const threads = new Map<number, ReaderThread>();
  const threadOf = (reader: number): ReaderThread => {
    let thread = threads.get(reader);
    if (!thread) {
      thread = createReaderThread(modulePath);
      threads.set(reader, thread);
    }
    return thread;
  };
  const free: number[] = Array.from({ length: size }, (_, index) => index);
  const waiting: ((reader: number) => void)[] = [];
  /** The tokens held by `takeForToken`, each with what resolves when it is let go. */
  const heldTokens = new Map<string, Promise<void>>();
  const giveBack = (reader: number) => {
    const next = waiting.shift();
    if (next) next(reader);
    else free.push(reader);
  };
  const take = async (): Promise<TakenReader> => {
    const reader = free.pop() ?? (await new Promise<number>((resolve) => waiting.push(resolve)));
    let released = false;
    return {
      thread: threadOf(reader),
      release() {
        if (released) return;
        released = true;
        giveBack(reader);
      },
    };
  };
  return {
    size,
    blankTokens: [],
    waitingForBlankCard: 0,
    setAside: new Set(),
    async start() {
      const all = Array.from({ length: size }, (_, reader) => threadOf(reader));
      await Promise.all(all.map((thread) => thread.listTokens()));
    },
    take,
    async takeForToken(serial) {
      for (let held = heldTokens.get(serial); held; held = heldTokens.get(serial)) await held;
      let letGo!: () => void;
      heldTokens.set(
        serial,
        new Promise((resolve) => {
          letGo = resolve;
        }),
      );
      const letTokenGo = () => {
        heldTokens.delete(serial);
        letGo();
      };
      let reader: TakenReader;
      try {
        reader = await take();
      } catch (error) {
        letTokenGo();
        throw error;
      }
      let released = false;
      return {
        thread: reader.thread,
        release() {
          if (released) return;
          released = true;
          reader.release();
          letTokenGo();
        },
      };
    },
    async callTimes() {
      const spent = new Map<string, number>();
      for (const times of await Promise.all([...threads.values()].map((thread) => thread.callTimes())))
        for (const [name, ms] of Object.entries(times)) spent.set(name, (spent.get(name) ?? 0) + ms);
      return spent;
    },
    async close() {
      await Promise.all([...threads.values()].map((thread) => thread.close()));
      threads.clear();
    },
  };
}
