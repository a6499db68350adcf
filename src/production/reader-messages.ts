import type { ChipCardSteps } from "./chip-card-steps.js";

/** The messages between a reader's thread (`reader-worker.ts`) and the main thread (`reader-thread.ts`). */

/** From the main thread: a step of {@link ChipCardSteps} and its argument. */
export interface ReaderRequest {
  readonly id: number;
  /** `callTimes`: the milliseconds spent in each C_* function so far, by name. */
  readonly step: keyof ChipCardSteps | "callTimes";
  readonly argument: unknown;
}

/** A step's failure, as far as a message can carry it: classes do not cross threads. */
export interface ReaderErrorReply {
  readonly code: string | undefined;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
  readonly stack: string | undefined;
}

export type ReaderReply =
  | { readonly id: number; readonly value: unknown }
  | { readonly id: number; readonly error: ReaderErrorReply };

/** Byte arrays come out of a message as Uint8Array: the steps and their callers want Buffers. */
export function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withBuffers(field)]));
  return value;
}

export function errorReply(error: unknown): ReaderErrorReply {
  if (!(error instanceof Error))
    return { code: undefined, message: String(error), details: undefined, stack: undefined };
  const { code, details } = error as { code?: unknown; details?: unknown };
  return {
    code: typeof code === "string" ? code : undefined,
    message: error.message,
    details:
      details !== null && typeof details === "object" ? (details as Record<string, unknown>) : undefined,
    stack: error.stack,
  };
}
