import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds (user and system, all threads) that processes of this machine have used so far,
 * from Linux's `/proc/<pid>/stat`: the processes `pids`, or every process whose command is
 * `command` (e.g. `postgres`: its server and its backends). Each counts its ended children too
 * (the PostgreSQL server those of its backends that closed), so a sum taken later is never
 * smaller. `undefined` where there is no `/proc`, or when no such process runs here (a
 * PostgreSQL on another machine).
 */
export function cpuSecondsOf(
  processes: { readonly pids: readonly number[] } | { readonly command: string },
): number | undefined {
  if (!readStat("self")) return undefined;
  const pids = "pids" in processes ? processes.pids : readdirSync("/proc").filter(isPid);
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat || ("command" in processes && stat.command !== processes.command)) continue;
    ticks += stat.ticks;
    found = true;
  }
  return found || "pids" in processes ? ticks / clockTicksPerSecond() : undefined;
}

const isPid = (name: string) => /^\d+$/.test(name);

/**
 * The command of `pid` and the clock ticks it and its ended children have used (user and
 * system), or undefined once it has ended.
 */
function readStat(pid: number | string): { command: string; ticks: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // "pid (command) state ppid …": the command may hold spaces and parentheses, so the fields
  // are counted from the last ")"; utime, stime, cutime and cstime are the line's 14th to 17th.
  const close = stat.lastIndexOf(")");
  const fields = stat
    .slice(close + 2)
    .split(" ")
    .slice(11, 15)
    .map(Number);
  return { command: stat.slice(stat.indexOf("(") + 1, close), ticks: fields.reduce((sum, n) => sum + n, 0) };
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of /proc's times (100 on every Linux this project runs on). */
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
  return ticksPerSecond;
}
