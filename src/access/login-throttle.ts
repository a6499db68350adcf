/**
 * Slows password guessing from one address: at most `limit` login attempts per window. The
 * per-account lock (5 failures → 15 minutes) stops guessing one account from many addresses.
 */
export interface LoginThrottle {
  /** Counts an attempt; false when the address has used up its attempts for now. */
  tryAttempt(address: string, now: number): boolean;
}

export function createLoginThrottle({ limit, windowMs }: { limit: number; windowMs: number }): LoginThrottle {
  const attempts = new Map<string, { count: number; windowStart: number }>();
  return {
    tryAttempt(address, now) {
      if (attempts.size > 10_000) {
        for (const [key, value] of attempts) if (now - value.windowStart >= windowMs) attempts.delete(key);
      }
      const entry = attempts.get(address);
      if (!entry || now - entry.windowStart >= windowMs) {
        attempts.set(address, { count: 1, windowStart: now });
        return true;
      }
      entry.count++;
      return entry.count <= limit;
    },
  };
}
