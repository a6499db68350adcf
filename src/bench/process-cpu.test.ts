import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cpuSecondsOf } from "./process-cpu.js";

/** This process's CPU seconds by Node's own count (getrusage). */
function cpuFromNode(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Keeps this thread on the CPU until the process has used `seconds` more of it. */
function burn(seconds: number): void {
  const until = cpuFromNode() + seconds;
  while (cpuFromNode() < until);
}

describe("cpuSecondsOf", () => {
  it("counts a process's CPU time as the kernel's own accounting does (getrusage, through Node)", () => {
    const before = { proc: cpuSecondsOf({ pids: [process.pid] })!, node: cpuFromNode() };
    burn(0.4);
    const after = { proc: cpuSecondsOf({ pids: [process.pid] })!, node: cpuFromNode() };
    // Both count all of the process's threads; /proc in clock ticks (10 ms).
    expect(after.proc - before.proc).toBeGreaterThan(0.3);
    expect(Math.abs(after.proc - before.proc - (after.node - before.node))).toBeLessThan(0.1);
  });

  it("counts every running process of a command, and none that has ended", async () => {
    const busy = spawn("sh", ["-c", "while :; do :; done"]);
    try {
      // However busy the machine, the loop gets its tenth of a second of CPU in the end.
      for (let waited = 0; cpuSecondsOf({ pids: [busy.pid!] })! < 0.1 && waited < 10_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const child = cpuSecondsOf({ pids: [busy.pid!] })!;
      expect(child).toBeGreaterThanOrEqual(0.1);
      // Every `sh` of the machine, this busy one among them.
      expect(cpuSecondsOf({ command: "sh" })).toBeGreaterThanOrEqual(child);
      expect(cpuSecondsOf({ command: "no such command here" })).toBeUndefined();
    } finally {
      busy.kill("SIGKILL");
      await new Promise((resolve) => busy.once("exit", resolve));
    }
    const ended = spawnSync("true");
    expect(cpuSecondsOf({ pids: [ended.pid] })).toBe(0);
  });

  it("counts a process's ended children: a server's closed backends stay in its sum", async () => {
    // The parent only waits; its child's work counts once the child has ended.
    const parent = spawn("sh", ["-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; sleep 30"]);
    try {
      for (let waited = 0; cpuSecondsOf({ pids: [parent.pid!] })! < 0.05 && waited < 20_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(cpuSecondsOf({ pids: [parent.pid!] })).toBeGreaterThanOrEqual(0.05);
    } finally {
      parent.kill("SIGKILL");
      await new Promise((resolve) => parent.once("exit", resolve));
    }
  });
});
