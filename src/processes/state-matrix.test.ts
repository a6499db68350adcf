import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CardState, cardStates } from "../domain/card-states.js";
import { roles } from "../domain/roles.js";
import type { Actor } from "../services/services.js";
import { insertCards } from "../store/cards.js";
import { insertCertificates } from "../store/certificates.js";
import { dialects } from "../test-support/databases.js";
import { createTestApp, type TestApp } from "../test-support/test-app.js";
import { processHandlers, runProcess } from "./registry.js";

/** The body each single-card process needs, given the card. */
const bodies: Record<string, (cardId: string) => Record<string, unknown>> = {
  CardsProcApprove: (cardId) => ({ cardId, decision: "approve" }),
  CardsProcAbortRequest: (cardId) => ({ cardId }),
  CardsProcRepeatProduction: (cardId) => ({ cardId }),
  CardsProcActivate: (cardId) => ({ cardId }),
  CardsProcDeactivate: (cardId) => ({ cardId }),
  CardsProcReactivate: (cardId) => ({ cardId }),
  CardsProcLock: (cardId) => ({ cardId, reason: "stolen" }),
};

const cardProcesses = [...processHandlers.values()].filter(
  (h) => h.definition.kind === "single" && h.definition.requiredCardStates.length > 0,
);

describe.each(dialects)("every (card state, process) pair on %s", (dialect) => {
  let t: TestApp;
  let actor: Actor;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { options: { severalActiveCards: true } });
    actor = await t.operator("everything", [...roles]);
    const { result } = await runProcess(t.app.services, actor, "UsersProcCreate", {
      firstName: "Mia",
      lastName: "Matrix",
      email: "mia@example.org",
      identifier: "MATRIX-1",
    });
    userId = (result as { user: { id: string } }).user.id;
  });
  afterAll(() => t.close());

  it("knows a body for every card process", () => {
    expect(cardProcesses.map((h) => h.definition.symbolicName).sort()).toEqual(Object.keys(bodies).sort());
  });

  const pairs = cardProcesses.flatMap((h) =>
    cardStates.map((state) => [h.definition.symbolicName, state] as const),
  );
  it.each(pairs)("%s on a %s card", async (symbolicName, state: CardState) => {
    const handler = processHandlers.get(symbolicName)!;
    const cardId = randomUUID();
    await insertCards(
      t.app.services.store.db,
      [
        {
          id: cardId,
          cardNumber: `M${cardId.slice(0, 12)}`,
          userId,
          template: "Employee ID",
          state,
          holderName: "Mia Matrix",
          holderKey: "matrix mia",
          organizationalUnit: null,
          requestedBy: "someone-else",
          decidedBy: null,
        },
      ],
      t.clock().toISOString(),
    );
    // A card past production carries its certificates (on hold until activation, valid while
    // active): activation needs one that is valid or on hold. The DER is not read here.
    const held = ["issued", "inactive"].includes(state);
    if (held || state === "active")
      await insertCertificates(
        t.app.services.store.db,
        [
          {
            serial: randomBytes(8).toString("hex"),
            cardId,
            profile: "authentication",
            subject: "CN=Mia Matrix",
            state: held ? "onHold" : "valid",
            der: Buffer.from("placeholder"),
            notBefore: t.clock().toISOString(),
            notAfter: "2036-03-01T09:00:00.000Z",
            revokedAt: held ? t.clock().toISOString() : null,
            revocationReason: held ? "certificateHold" : null,
          },
        ],
        t.clock().toISOString(),
      );
    const run = runProcess(t.app.services, actor, symbolicName, bodies[symbolicName]!(cardId));
    if (handler.definition.requiredCardStates.includes(state)) {
      await expect(run).resolves.toMatchObject({ status: 200 });
    } else {
      await expect(run).rejects.toMatchObject({ code: "card.state_not_allowed", status: 409 });
      const card = await t.app.services.store.db
        .selectFrom("cards")
        .select(["state", "version"])
        .where("id", "=", cardId)
        .executeTakeFirstOrThrow();
      expect(card).toEqual({ state, version: 1 });
    }
  });
});
