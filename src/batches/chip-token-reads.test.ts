import { describe, expect, it } from "vitest";
import { requestCardsForNewHolders } from "../test-support/api-setup.js";
import { chipTemplate, startChipTessera } from "../test-support/chip-cards.js";
import { simulatedCardsForSuite } from "../test-support/simulated-card.js";

/**
 * Issue 10, throughput: a station's readers hold dozens of cards, and reading a slot's token
 * information is a call to each chip (SoftHSM reads the token's files for it). Looking through
 * the slots for a blank card before every card read half of them on average per card, so a
 * batch read the slots a number of times growing with the square of its cards (the bench's 200
 * cards spent 7 ms a card there, more than on making both keys). The simulated card middleware
 * counts the calls from inside the C library.
 */
const simulated = simulatedCardsForSuite();
const tools = simulated !== undefined;

describe.runIf(tools)("looking for blank cards in the readers", () => {
  const blanks = 20;
  const chipCard = chipTemplate("Chip ID", "soLogin", 2, simulated?.path);
  const chip = startChipTessera({ chipCard, blanks });

  it("reads the slots once for the batch, then each card's own slot a few times", async () => {
    const { t, ops } = chip;
    const cards = 16;
    const cardIds = await requestCardsForNewHolders(ops.registrar, {
      lastName: "Reads",
      count: cards,
      template: "Chip ID",
    });
    simulated!.clearLog();
    const order = await ops.production("POST", "/api/v1/processes/CardsBoProcIssueMultiple", { cardIds });
    expect(order.status).toBe(202);
    t.app.runner.start();
    await t.app.runner.idle();
    const batch = (await ops.production("GET", `/api/v1/batches/${order.body.batchId}`)).body;
    expect(batch.items.map((item: { state: string }) => item.state)).toEqual(Array(cards).fill("done"));
    const reads = simulated!
      .calls()
      .filter((call) => call.process === process.pid && call.call === "C_GetTokenInfo").length;
    // The slots: the blank cards and SoftHSM's empty one. A look through them all, or two if
    // two cards look at once, and for each card a fixed handful of reads of its own slot: checked
    // blank before it is journalled, erased, then found by each session the card opens. A look
    // before every card read the cards made before it as well: 1 + 2 + … + 15 slots more.
    const slots = blanks + 1;
    expect(reads).toBeLessThanOrEqual(2 * slots + 6 * cards);
  }, 120_000);
});
