import { type ChildProcess, spawn } from "node:child_process";

/**
 * `node …args` with its stdout piped and its stderr the bench's own, pinned to `core` with
 * `taskset` when one is given; killed when `signal` aborts.
 */
export function spawnNode(
  args: readonly string[],
  options: { readonly core?: number; readonly env?: NodeJS.ProcessEnv; readonly signal?: AbortSignal } = {},
): ChildProcess {
  const [command, commandArgs] =
    options.core === undefined ? ["node", args] : ["taskset", ["-c", String(options.core), "node", ...args]];
  return spawn(command, commandArgs, {
    stdio: ["ignore", "pipe", "inherit"],
    ...(options.env && { env: options.env }),
    ...(options.signal && { signal: options.signal }),
  });
}
