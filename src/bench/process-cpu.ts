import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds (user and system, all threads) that processes of this machine have used so far,
 * from Linux's `/proc/<pid>/stat`: the processes `pids`, or every process whose command is
 * `command` (e.g. `postgres`: its server and its backends). `undefined` where there is no
 * `/proc`. A process that has ended is no longer counted, so callers read it while theirs run.
 */
export function cpuSecondsOf(
  processes: { readonly pids: readonly number[] } | { readonly command: string },
): number | undefined {
  let pids: readonly number[];
  try {
    pids = "pids" in processes ? processes.pids : readdirSync("/proc").filter(isPid).map(Number);
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat && ("pids" in processes || stat.command === processes.command)) ticks += stat.ticks;
  }
  return ticks / clockTicksPerSecond();
}

const isPid = (name: string) => /^\d+$/.test(name);

/** The command and the user plus system clock ticks of `pid`, or undefined once it has ended. */
function readStat(pid: number): { command: string; ticks: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // "pid (command) state ppid …": the command may hold spaces and parentheses, so the fields
  // are counted from the last ")"; utime and stime are the 14th and 15th fields of the line.
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  return {
    command: stat.slice(stat.indexOf("(") + 1, close),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of /proc's times (100 on every Linux this project runs on). */
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
  return ticksPerSecond;
}
