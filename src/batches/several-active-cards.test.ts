import { afterAll, describe, expect, it } from "vitest";
import { findProcess } from "../domain/process-catalog.js";
import { defaultProcessOptions } from "../domain/process-options.js";
import { roles } from "../domain/roles.js";
import { runProcess } from "../processes/registry.js";
import { activateCard } from "../services/activate-card.js";
import { findCardById } from "../store/cards.js";
import { findCertificatesOfCard } from "../store/certificates.js";
import { transact } from "../store/database.js";
import { saveProcessOptions } from "../store/process-options.js";
import { dialects } from "../test-support/databases.js";
import { createUserAs } from "../test-support/processes.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";

/**
 * "Several active cards per user: no" holds whatever the order of events: two cards of one
 * holder in one batch that makes cards active, in one chunk or in two, and two operators
 * activating a holder's two cards at the same moment.
 */
describe.each(dialects)("one active card per holder on %s", (dialect) => {
  const apps: TestApp[] = [];
  afterAll(() => Promise.all(apps.map((t) => t.close())));

  async function startApp(chunkSize: number) {
    const t = await createTestApp(dialect, {
      options: { approvalStep: false },
      config: { batch: { chunkSize, workers: 1 } },
    });
    apps.push(t);
    const actor = await t.operator("all", [...roles]);
    t.app.runner.start();
    const allowSeveral = (severalActiveCards: boolean) =>
      saveProcessOptions(
        t.app.services.store.db,
        { ...defaultProcessOptions, approvalStep: false, severalActiveCards },
        null,
        new Date().toISOString(),
      );
    /** A new holder with two approved cards (requested while several were allowed). */
    const holderWithTwoCards = async (): Promise<[string, string]> => {
      await allowSeveral(true);
      const userId = await createUserAs(t, actor, { firstName: "Twice", lastName: "Holder" });
      const request = async () => {
        const { result } = await runProcess(t.app.services, actor, "CardsProcRequest", {
          userId,
          template: "Employee ID",
        });
        return (result as { card: { id: string } }).card.id;
      };
      const cards: [string, string] = [await request(), await request()];
      await allowSeveral(false);
      return cards;
    };
    const stateOf = async (cardId: string) => (await findCardById(t.app.services.store.db, cardId))?.state;
    return { t, actor, allowSeveral, holderWithTwoCards, stateOf };
  }

  it.each([
    ["in one chunk", 2],
    ["in two chunks", 1],
  ])(
    "makes one of a holder's two cards active in a batch (%s), and fails the other",
    async (_, chunkSize) => {
      const { t, actor, holderWithTwoCards, stateOf } = await startApp(chunkSize);
      const [first, second] = await holderWithTwoCards();
      await runProcess(t.app.services, actor, "CardsBoProcIssueMultiple", {
        cardIds: [first, second],
        options: { cardEndState: "active", certificateEndState: "valid" },
      });
      await t.app.runner.idle();
      const states = [await stateOf(first), await stateOf(second)];
      expect(states.filter((state) => state === "active")).toHaveLength(1);
      const failed = states[0] === "failed" ? first : second;
      expect(await findCardById(t.app.services.store.db, failed)).toMatchObject({
        state: "failed",
        reason: expect.stringContaining("card.too_many_active"),
      });
      // Whatever was signed for the failed card is revoked.
      for (const certificate of await findCertificatesOfCard(t.app.services.store.db, failed))
        expect(certificate.state).toBe("revoked");
    },
  );

  it("lets only one of two activations of a holder's cards at the same moment through", async () => {
    const { t, actor, allowSeveral, holderWithTwoCards, stateOf } = await startApp(4);
    const [first, second] = await holderWithTwoCards();
    await runProcess(t.app.services, actor, "CardsBoProcIssueMultiple", { cardIds: [first, second] });
    await t.app.runner.idle();
    expect([await stateOf(first), await stateOf(second)]).toEqual(["issued", "issued"]);
    await allowSeveral(false);

    // The first activation holds its transaction open; the second starts meanwhile.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { services } = t.app;
    const firstActivation = transact(services.store, async (trx) => {
      const card = (await findCardById(trx, first))!;
      await activateCard(services, trx, actor, findProcess("CardsProcActivate"), card);
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const secondActivation = runProcess(services, actor, "CardsProcActivate", { cardId: second });
    const early = await Promise.race([
      secondActivation.then(
        () => "activated",
        () => "refused",
      ),
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 500)),
    ]);
    expect(early).toBe("waiting");
    release();
    await firstActivation;
    await expect(secondActivation).rejects.toMatchObject({ code: "card.too_many_active" });
    expect([await stateOf(first), await stateOf(second)]).toEqual(["active", "issued"]);
  });
});
