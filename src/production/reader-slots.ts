/**
 * The readers of one kind of card at a station: at most `size` cards are personalised at once,
 * whichever chunk or batch they belong to. A card waits for a free reader in `take`, and gives
 * it back with the function `take` resolves to (once; later calls do nothing).
 */
export interface ReaderSlots {
  readonly size: number;
  take(): Promise<() => void>;
}

export function createReaderSlots(size: number): ReaderSlots {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    size,
    async take() {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}
