import pino from "pino";
import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate, startChipTessera } from "../test-support/chip-cards.js";
import { simulatedCardsForSuite } from "../test-support/simulated-card.js";

/**
 * Issue 10, throughput and a station that keeps answering: a chip blocks the thread that calls
 * it for as long as it works (hundreds of milliseconds per PIN check on a real card), so a card's
 * PKCS#11 calls run in its reader's own thread. Then the main thread, which serves HTTP and
 * renews leases, never waits for a chip, and the readers work at once. The simulated card
 * middleware makes SoftHSM as slow as a card and logs the OS thread of every call from inside
 * the C library, outside Tessera's code.
 */
const simulated = simulatedCardsForSuite();
const tools = simulated !== undefined;

describe.runIf(tools)("chip cards personalised in their readers' threads (slow simulated chips)", () => {
  const chipCard = chipTemplate("Chip ID", "soLogin", 2, simulated?.path);
  /** What the station logs: its operator, who puts the blank cards in, reads it. */
  const logged: string[] = [];
  /** When (CLOCK_MONOTONIC ms, the simulated module's clock) each line was logged. */
  const loggedAt: number[] = [];
  const chip = startChipTessera({
    chipCard,
    blanks: 4,
    log: pino(
      { level: "info" },
      {
        write: (line: string) => {
          logged.push(line);
          loggedAt.push(Number(process.hrtime.bigint()) / 1e6);
        },
      },
    ),
  });

  it("opens the station with every reader's thread started before any card, and says how many blank cards they hold", async () => {
    // A batch is waiting when the station opens: its card is made once the readers are ready.
    const cardIds = await requestCardsForNewHolders(chip.ops.registrar, {
      lastName: "Opening",
      count: 1,
      template: "Chip ID",
    });
    const order = await chip.ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", {
      cardIds,
    });
    expect(order.status).toBe(202);
    simulated!.clearLog();
    chip.t.app.start();
    let said: string | undefined;
    for (let waited = 0; !said && waited < 30_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      said = logged.find((line) => line.includes("Production station open"));
    }
    await chip.t.app.runner.idle();
    expect((await chip.ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body).toMatchObject({
      state: "completed",
      done: 1,
    });
    // The card's chip was first touched after the station had opened (counted before it took one).
    const opened = loggedAt[logged.indexOf(said!)]!;
    const erased = simulated!.calls().filter((call) => call.call === "C_InitToken");
    expect(erased.length).toBeGreaterThan(0);
    expect(Math.min(...erased.map((call) => call.start))).toBeGreaterThan(opened);
    expect(JSON.parse(said ?? "{}")).toMatchObject({
      level: 30,
      msg: `Production station open: 2 readers of ${simulated!.path} (Chip ID) hold 4 blank cards.`,
      readers: 2,
      blankCards: 4,
    });
    // Each reader's thread read the slots (OS thread ids; the main thread's is the process id).
    const readingThreads = new Set(
      simulated!
        .calls()
        .filter((call) => call.process === process.pid && call.call === "C_GetSlotList")
        .map((call) => call.thread),
    );
    expect(readingThreads.size).toBe(2);
    expect(readingThreads.has(process.pid)).toBe(false);
  });

  it("never calls a chip from the main thread, which stays free while two readers work at once", async () => {
    const { t, ops } = chip;
    const cardIds = await requestCardsForNewHolders(ops.registrar, {
      lastName: "Slow",
      count: 2,
      template: "Chip ID",
    });
    // A real chip takes hundreds of milliseconds to erase itself and to check a PIN.
    const delayMs = 600;
    simulated!.simulate([
      { call: "C_InitToken", delayMs },
      { call: "C_Login", delayMs },
    ]);
    simulated!.clearLog();
    let last = performance.now();
    let longestWait = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      longestWait = Math.max(longestWait, now - last);
      last = now;
    }, 10);
    let batch: { state: string; items: { state: string; reason: string | null }[] };
    try {
      const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
      expect(order.status).toBe(202);
      t.app.runner.start();
      await t.app.runner.idle();
      batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    } finally {
      clearInterval(ticks);
      simulated!.simulate([]);
    }
    expect(batch.items.map((item) => [item.state, item.reason])).toEqual([
      ["done", null],
      ["done", null],
    ]);
    const calls = simulated!.calls().filter((call) => call.process === process.pid);
    const names = new Set(calls.map((call) => call.call));
    for (const name of [
      "C_InitToken",
      "C_Login",
      "C_SetPIN",
      "C_InitPIN",
      "C_GenerateKeyPair",
      "C_CreateObject",
      "C_Sign",
    ])
      expect(names).toContain(name);
    // The main thread's OS thread id is the process id: it made none of the calls.
    expect(calls.filter((call) => call.thread === process.pid).map((call) => call.call)).toEqual([]);
    // The two cards' slow steps overlapped, each in its reader's thread.
    const slow = calls.filter((call) => call.call === "C_InitToken" || call.call === "C_Login");
    const together = slow.some((one) =>
      slow.some((other) => other.thread !== one.thread && one.start < other.end && other.start < one.end),
    );
    expect(together).toBe(true);
    // Each slow call blocked a thread for 600 ms; none of them held up the main thread.
    expect(longestWait).toBeLessThan(delayMs * 0.7);
  });
});
