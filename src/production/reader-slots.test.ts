import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createReaderSlots, type TakenReader } from "./reader-slots.js";

/**
 * A PIN process holds its card's token as well as a reader: PKCS#11 logins are per token for the
 * whole process (a C_Logout in one session logs out every other), so two PIN processes on one
 * card must not run at once, even with readers free. No thread starts here: a reader's thread
 * starts at its first step.
 */
describe("readers taken for a token", () => {
  it("a second take of the same token waits for the first's release; another token does not", async () => {
    const slots = createReaderSlots(3, "/nonexistent/libcard-pkcs11.so");
    const first = await slots.takeForToken("a1");
    let second: TakenReader | undefined;
    const secondTaken = slots.takeForToken("a1").then((reader) => {
      second = reader;
      return reader;
    });
    const other = await slots.takeForToken("b2");
    await nextTurn();
    expect(second).toBeUndefined();
    // A free reader is not enough: the token is still held.
    other.release();
    await nextTurn();
    expect(second).toBeUndefined();
    first.release();
    await secondTaken;
    expect(second).toBeDefined();
    // A release given twice does not let go of the token its next holder has.
    first.release();
    let third: TakenReader | undefined;
    const thirdTaken = slots.takeForToken("a1").then((reader) => {
      third = reader;
      return reader;
    });
    await nextTurn();
    expect(third).toBeUndefined();
    second!.release();
    await thirdTaken;
    expect(third).toBeDefined();
    third!.release();
    await slots.close();
  });

  it("a token's work waits for a reader behind a batch's cards, and the reader goes back once", async () => {
    const slots = createReaderSlots(1, "/nonexistent/libcard-pkcs11.so");
    const card = await slots.take();
    let pin: TakenReader | undefined;
    const pinTaken = slots.takeForToken("c3").then((reader) => {
      pin = reader;
      return reader;
    });
    await nextTurn();
    expect(pin).toBeUndefined();
    card.release();
    await pinTaken;
    expect(pin?.thread).toBe(card.thread);
    pin!.release();
    pin!.release();
    // One reader, given back once: the next two takes get it one after the other.
    const next = await slots.take();
    let after: TakenReader | undefined;
    void slots.take().then((reader) => {
      after = reader;
    });
    await nextTurn();
    expect(after).toBeUndefined();
    next.release();
    await nextTurn();
    expect(after).toBeDefined();
    after!.release();
    await slots.close();
  });
});
